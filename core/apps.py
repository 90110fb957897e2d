from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: the web kit every app uses, and the one document pipeline. Knows no case."""

    name = "core"
    verbose_name = "Core"
