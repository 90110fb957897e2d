from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from cases.manage_area import ManageLink, register

        register(
            ManageLink(
                "commissioning",
                40,
                "Commissioning",
                "reporting:commissioning",
                "Which commissioning body sees which youth justice services' figures.",
            )
        )
