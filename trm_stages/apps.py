from django.apps import AppConfig


class TrmStagesConfig(AppConfig):
    name = "trm_stages"
