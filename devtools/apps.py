from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: the demo world, the large invented dataset and the benchmarks.

    Installed by the development and test settings only (config/settings/dev.py, test.py), never by
    production: nothing in the product imports it. It sits above every other app, so it may use all
    their services and models.
    """

    name = "devtools"
