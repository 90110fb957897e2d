from typing import Any

from django.apps import AppConfig


class TrmStagesConfig(AppConfig):
    name = "trm_stages"

    def ready(self) -> None:
        from cases.sections import TRM, CaseSection, compiled_facts, register
        from trm_stages.case_page import stage_facts, stage_glance, thrive_glance
        from trm_stages.selectors import outcome_facts, outcomes_for_case, stage_journey

        def stage_section(user: Any, case: Any, caps: Any, facts: Any = None) -> dict[str, Any]:
            return {"journey": stage_journey(case=case), "caps": caps}

        def outcomes_shown(caps: Any) -> bool:
            # Goals are in the child's words: the full record only, not the network's summary.
            return bool(caps.full_record)

        def outcomes_facts(user: Any, case: Any, caps: Any) -> dict[str, Any]:
            return compiled_facts(outcome_facts) if outcomes_shown(caps) else {}

        def outcomes_section(user: Any, case: Any, caps: Any, facts: Any = None) -> dict[str, Any] | None:
            if not outcomes_shown(caps):
                return None
            return {"outcomes": outcomes_for_case(case=case, facts=facts), "caps": caps}

        register(
            CaseSection(
                "trm-stage",
                10,
                "trm_stages/includes/case_stage.html",
                stage_section,
                stage_facts,
                page=TRM,
                glance=stage_glance,
            )
        )
        register(
            CaseSection(
                "trm-outcomes",
                20,
                "trm_stages/includes/case_outcomes.html",
                outcomes_section,
                outcomes_facts,
                page=TRM,
                glance=thrive_glance,
            )
        )

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
