"""Reads of the TRM reference data and of a child's stage."""

from __future__ import annotations

from cases.models import Case
from trm_stages.models import Stage, StageAssessment, Threshold, TrmVersion
from trm_stages.sequencing import SequencingResult, check_sequencing


def current_version() -> TrmVersion:
    """The reference data new assessments are made against: the latest published version."""
    return TrmVersion.objects.order_by("-number").first() or TrmVersion.objects.get()


def stages(version: TrmVersion | None = None) -> list[Stage]:
    return list(Stage.objects.filter(version=version or current_version()).order_by("number"))


def thresholds(version: TrmVersion | None = None) -> list[Threshold]:
    return list(Threshold.objects.filter(version=version or current_version()).order_by("below_stage"))


def latest_assessment(case: Case) -> StageAssessment | None:
    """The child's current stage is the latest assessment on the case."""
    return (
        StageAssessment.objects.filter(case=case)
        .select_related("stage", "assessor")
        .order_by("-assessed_on", "-recorded_at", "-pk")
        .first()
    )


def current_stage_number(case: Case) -> int | None:
    latest = latest_assessment(case)
    return latest.stage.number if latest else None


def sequencing_for_case(*, case: Case, suits_from_stage: int) -> SequencingResult:
    """Does something that suits children from `suits_from_stage` suit this child now?"""
    return check_sequencing(
        current_stage=current_stage_number(case), suits_from_stage=suits_from_stage, thresholds=thresholds()
    )
