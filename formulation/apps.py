from typing import Any

from django.apps import AppConfig

# The case page shows the latest few meetings; the meetings page has them all.
CASE_PAGE_MEETINGS = 5


class FormulationConfig(AppConfig):
    name = "formulation"

    def ready(self) -> None:
        from accounts.leavers import register_leaver_step
        from cases import access
        from cases.sections import CaseSection, register
        from formulation.meetings import leaver_invitations_withdraw
        from formulation.report_selectors import latest_signed_off, report_section_context
        from formulation.selectors import meetings_for_case

        register_leaver_step("formulation: future invitations withdrawn", leaver_invitations_withdraw)

        def meetings_section(user: Any, case: Any, overview: Any) -> dict[str, Any]:
            """The latest meetings this person may see: all for the full record, their invitations for a partner."""
            return {
                "meetings": list(meetings_for_case(user=user, case=case)[:CASE_PAGE_MEETINGS]),
                "full_record": overview.full_record,
                "may_schedule": access.may(user, "schedule_meeting", case),
            }

        def shared_report_section(user: Any, case: Any, overview: Any) -> dict[str, Any] | None:
            """The network's way to the signed-off summary PDF (the full record has the report section)."""
            if overview.full_record:
                return None
            return {"signed_off": latest_signed_off(case)}

        register(CaseSection("formulation-report", 25, "formulation/includes/case_report.html", report_section_context))
        register(
            CaseSection("formulation-shared", 25, "formulation/includes/case_report_shared.html", shared_report_section)
        )
        register(CaseSection("meetings", 30, "formulation/includes/case_meetings.html", meetings_section))
