from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The invented demo world. It sits above every other app, so it can use all their services."""

    name = "demo"
