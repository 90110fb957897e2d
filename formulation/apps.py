from typing import Any

from django.apps import AppConfig

# The case page shows the latest few meetings; the meetings page has them all.
CASE_PAGE_MEETINGS = 5


class FormulationConfig(AppConfig):
    name = "formulation"

    def ready(self) -> None:
        from accounts.leavers import register_leaver_step
        from cases.sections import MEETINGS, PLAN, CaseSection, register
        from formulation.case_page import meeting_facts, meeting_glance
        from formulation.selectors import (
            latest_signed_off,
            meetings_for_case,
            report_section_context,
            report_section_facts,
        )
        from formulation.services import leaver_invitations_withdraw

        register_leaver_step("formulation: future invitations withdrawn", leaver_invitations_withdraw)

        from accounts.models import CLINICIAN_ROLES, Role
        from config.navigation import NavEntry, any_of
        from config.navigation import register as register_nav

        register_nav(
            NavEntry(
                "My meetings", "formulation:my_meetings", 70, any_of(CLINICIAN_ROLES, Role.CASE_MANAGER, Role.PARTNER)
            )
        )

        def meetings_section(user: Any, case: Any, caps: Any, facts: Any = None) -> dict[str, Any]:
            """The latest meetings this person may see: all for the full record, their invitations for a partner."""
            return {
                "meetings": list(meetings_for_case(user=user, case=case)[:CASE_PAGE_MEETINGS]),
                "caps": caps,
            }

        def shared_report_section(user: Any, case: Any, caps: Any, facts: Any = None) -> dict[str, Any] | None:
            """The network's way to the signed-off summary PDF (the full record has the report section)."""
            if caps.full_record:
                return None
            return {"signed_off": latest_signed_off(case)}

        register(
            CaseSection(
                "formulation-report",
                25,
                "formulation/includes/case_report.html",
                report_section_context,
                report_section_facts,
                page=PLAN,
            )
        )
        register(
            CaseSection(
                "formulation-shared",
                25,
                "formulation/includes/case_report_shared.html",
                shared_report_section,
                page=PLAN,
            )
        )
        register(
            CaseSection(
                "meetings",
                30,
                "formulation/includes/case_meetings.html",
                meetings_section,
                meeting_facts,
                page=MEETINGS,
                glance=meeting_glance,
            )
        )

        from core.documents.registry import register_document_kind
        from formulation.documents import REPORT_DOCUMENT_KIND

        register_document_kind(REPORT_DOCUMENT_KIND)  # the report's PDFs, made by the document pipeline
