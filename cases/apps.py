from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from accounts.leavers import register_leaver_step
        from cases.access import standing
        from cases.leaver_work import CASES_HELD, register_work_kind
        from cases.services import leaver_case_access_end

        standing.register()  # who the person is to the access module, read with their other facts

        register_leaver_step("cases: case access ended", leaver_case_access_end)
        register_work_kind(CASES_HELD)

        from cases.reminders import RectificationNotice
        from core.reminders import register_reminder_source

        # The people a case's summary is shared with hear of a correction to the child's details.
        register_reminder_source(RectificationNotice(), order=5)

        from cases.transfer_notices import TransferDecided, TransferOffered

        # Transfers between services: the receiving service hears of an offer, the offering one of the decision.
        register_reminder_source(TransferOffered(), order=6)
        register_reminder_source(TransferDecided(), order=6)

        from cases.sections import DETAILS, CaseSection
        from cases.sections import register as register_section
        from cases.transfer_section import transfer_section_context, transfer_section_facts

        register_section(
            CaseSection(
                "transfer",
                80,
                "cases/includes/transfer_section.html",
                transfer_section_context,
                transfer_section_facts,
                page=DETAILS,
            )
        )

        from cases.merge_section import merge_section_context, merge_section_facts

        register_section(
            CaseSection(
                "merges",
                85,
                "cases/includes/merge_section.html",
                merge_section_context,
                merge_section_facts,
                page=DETAILS,
            )
        )

        from cases.documents import CHRONOLOGY_KIND
        from core.documents.registry import register_document_kind

        register_document_kind(CHRONOLOGY_KIND)  # the filtered chronology's PDF, made by the document pipeline

        from accounts.models import ADMINISTRATOR_ROLES, CLINICIAN_ROLES, Role
        from config.navigation import NavEntry, any_of
        from config.navigation import register as register_nav

        working_on_cases = CLINICIAN_ROLES | {Role.CASE_MANAGER}
        register_nav(NavEntry("My caseload", "cases:list", 10, any_of(Role.CASE_MANAGER)))
        register_nav(NavEntry("ECM cases", "cases:list", 30, any_of(CLINICIAN_ROLES)))
        register_nav(NavEntry("Find a child", "cases:search", 50, any_of(working_on_cases)))
        register_nav(NavEntry("Transfers", "cases:transfers", 55, any_of(Role.CASE_MANAGER, Role.SENIOR_PRACTITIONER)))
        register_nav(
            NavEntry(
                "Shared cases",
                "cases:list",
                60,
                lambda roles: Role.PARTNER in roles and not roles & working_on_cases,
            )
        )
        register_nav(NavEntry("Manage", "manage:home", 100, any_of(ADMINISTRATOR_ROLES)))
        register_nav(NavEntry("Access log", "cases:access_log", 110, any_of(Role.ADMINISTRATOR)))
