from django.apps import AppConfig


class DataRightsConfig(AppConfig):
    """Data rights (subject access requests now; retention and rectification may join them).

    It reads every other app, so it sits at the top of the layering and plugs into the apps below it
    through their registries: the navigation, the administration area, the case page, the documents.
    """

    name = "data_rights"
    verbose_name = "Data rights"

    def ready(self) -> None:
        from accounts.models import Role
        from cases.manage_area import ManageLink
        from cases.manage_area import register as register_manage_link
        from cases.sections import DETAILS, CaseSection
        from cases.sections import register as register_section
        from config.navigation import NavEntry, any_of
        from config.navigation import register as register_nav
        from core.documents.registry import register_document_kind
        from data_rights.case_page import subject_access_section_context
        from data_rights.documents import SUBJECT_ACCESS_PACK_KIND

        register_nav(
            NavEntry(
                "Subject access requests",
                "data_rights:sar_list",
                95,
                any_of(Role.SENIOR_PRACTITIONER, Role.ADMINISTRATOR),
            )
        )
        register_nav(
            NavEntry(
                "Retention reviews",
                "data_rights:retention_list",
                96,
                any_of(Role.SENIOR_PRACTITIONER, Role.ADMINISTRATOR),
            )
        )
        register_manage_link(
            ManageLink(
                "subject_access",
                60,
                "Subject access requests",
                "data_rights:sar_list",
                "Export everything held about one child, across agencies, when they or someone for them asks.",
            )
        )
        register_section(
            CaseSection(
                "subject_access",
                90,
                "data_rights/includes/case_section.html",
                subject_access_section_context,
                page=DETAILS,
            )
        )
        register_document_kind(SUBJECT_ACCESS_PACK_KIND)  # the SAR's PDF pack, made by the document pipeline
