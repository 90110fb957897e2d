from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from accounts.models import CLINICIAN_ROLES, Role
        from cases.manage_area import ManageLink, register
        from config.navigation import NavEntry, any_of
        from config.navigation import register as register_nav

        register_nav(
            NavEntry(
                "Reports", "reporting:dashboard", 90, any_of(CLINICIAN_ROLES, Role.CASE_MANAGER, Role.COMMISSIONER)
            )
        )

        register(
            ManageLink(
                "commissioning",
                40,
                "Commissioning",
                "reporting:commissioning",
                "Which commissioning body sees which youth justice services' figures.",
            )
        )

        from core.documents.registry import register_document_kind
        from reporting.documents import SUMMARY_KIND

        register_document_kind(SUMMARY_KIND)  # the figures' summary PDF, made by the document pipeline

        from reporting import invalidation

        invalidation.connect()  # a write of a service's data retires its cached reports
