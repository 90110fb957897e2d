"""Helpers for the formulation report tests: Kai's stage, a report at each step of its workflow, and
recommendations. Everything written here about Kai Brennan is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Role, User
from formulation.models import FormulationReport, Recommendation
from formulation.services import (
    recommendation_add,
    report_save,
    report_sign_off,
    report_start,
    report_submit,
)
from tests.conftest import Cast
from tests.factories import person
from trm_stages.models import AssessmentSource, InterventionType, StageAssessment
from trm_stages.selectors import current_version
from trm_stages.services import stage_assessment_record

KAIS_REPORT: dict[str, Any] = {
    "reason_for_referral": "Kai was referred after two placement breakdowns and a rise in fights at school.",
    "childs_story": "Kai lived with his mother until he was nine. He has moved home four times since.",
    "presenting_behaviour": "Kai shouts and leaves the room when adults set limits, mostly in the afternoons.",
    "underlying_needs": "Kai needs adults who stay, and a routine he can predict.",
    "presenting_factors": "Fights at school and going missing overnight.",
    "predisposing_factors": "Early neglect and many changes of carer.",
    "precipitating_factors": "The end of his last foster placement in the spring.",
    "perpetuating_factors": "Exclusions take him away from the adults he is starting to trust.",
    "protective_factors": "His bond with Ms Marsh at school and his love of football.",
    "childs_voice": "Kai says he wants to stay at Fernbrook and play for the under-16s.",
    "strengths": "Kai is funny, loyal to his friends and good with younger children.",
    "trm_rationale": "Kai seeks out one or two adults and is beginning to trust them: stage 2.",
    "child_friendly_summary": "Kai, we think you have had to cope with a lot of changes. We will help you feel safe.",
    "trm_stage": 2,
}


def record_stage(cast: Cast, number: int, *, on: dt.date | None = None, note: str = "") -> StageAssessment:
    """The psychologist records Kai's stage (a move back gets its note)."""
    return stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=on or timezone.localdate(),
        stage_number=number,
        evidence=f"Seen at school and at home: the signs of stage {number}.",
        source=AssessmentSource.FORMULATION,
        move_back_note=note,
    )


def second_psychologist(cast: Cast) -> User:
    """Another psychologist covering Bristol: a reviewer who did not write the report."""
    return person("morgan", "Morgan", "Ellery", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.bristol,))


def intervention(name_starts: str) -> InterventionType:
    return InterventionType.objects.get(version=current_version(), name__startswith=name_starts)


def started(cast: Cast) -> FormulationReport:
    return report_start(case=cast.case, actor=cast.psychologist)


def save(report: FormulationReport, actor: User, **fields: Any) -> FormulationReport:
    """Save some of the editor's fields over the report's current revision."""
    report.refresh_from_db()
    return report_save(report=report, actor=actor, revision=report.revision, **fields)


def add_recommendation(report: FormulationReport, cast: Cast, **overrides: Any) -> Recommendation:
    fields: dict[str, Any] = {
        "text": "A daily check-in with Ms Marsh at the start of the school day.",
        "due_on": timezone.localdate() + dt.timedelta(days=28),
        "suits_from_stage": 2,
        "owner": cast.teacher,
        "owner_name": "Helen Marsh",
        "owner_agency": cast.school,
    }
    fields.update(overrides)
    return recommendation_add(report=report, actor=cast.psychologist, **fields)


def written(cast: Cast, **changes: Any) -> FormulationReport:
    """A complete draft of version 1 for Kai at stage 2, with one recommendation that suits him."""
    if not StageAssessment.objects.filter(case=cast.case).exists():
        record_stage(cast, 2)
    report = started(cast)
    report = save(report, cast.psychologist, **{**KAIS_REPORT, **changes})
    add_recommendation(report, cast)
    return report


def in_review(cast: Cast, **changes: Any) -> FormulationReport:
    return report_submit(report=written(cast, **changes), actor=cast.psychologist)


def signed_off(cast: Cast, **changes: Any) -> FormulationReport:
    return report_sign_off(report=in_review(cast, **changes), actor=cast.senior_practitioner, confirmed=True)
