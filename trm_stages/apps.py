from typing import Any

from django.apps import AppConfig


class TrmStagesConfig(AppConfig):
    name = "trm_stages"

    def ready(self) -> None:
        from cases.sections import CaseSection, register
        from trm_stages.selectors import outcomes_for_case, stage_journey

        def stage_section(user: Any, case: Any, caps: Any) -> dict[str, Any]:
            return {"journey": stage_journey(case=case), "caps": caps}

        def outcomes_section(user: Any, case: Any, caps: Any) -> dict[str, Any] | None:
            # Goals are in the child's words: the full record only, not the network's summary.
            if not caps.full_record:
                return None
            return {"outcomes": outcomes_for_case(case=case), "caps": caps}

        register(CaseSection("trm-stage", 10, "trm_stages/includes/case_stage.html", stage_section))
        register(CaseSection("trm-outcomes", 20, "trm_stages/includes/case_outcomes.html", outcomes_section))

        from cases.manage_area import ManageLink
        from cases.manage_area import register as register_manage_link

        register_manage_link(
            ManageLink(
                "trm",
                50,
                "Trauma Recovery Model reference data",
                "trm_stages:reference",
                "The stages, thresholds and interventions; publish a new version.",
            )
        )
