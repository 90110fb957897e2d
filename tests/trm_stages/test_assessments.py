"""TRM reference data and stage assessments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseEventKind
from tests.clock import hold_today
from tests.conftest import Cast
from trm_stages.models import InterventionType, Stage, Threshold
from trm_stages.selectors import current_stage_number, current_version, sequencing_for_case, thresholds
from trm_stages.services import stage_assessment_record

TODAY = timezone.localdate()
_held = hold_today(TODAY)


def record(cast: Cast, stage: int, days_ago: int = 0, **extra: object) -> object:
    return stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=TODAY - dt.timedelta(days=days_ago),
        stage_number=stage,
        evidence=f"Evidence for stage {stage}",
        source="formulation",
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.django_db
def test_the_reference_data_holds_six_stages_three_thresholds_and_a_catalogue() -> None:
    version = current_version()
    assert [stage.number for stage in Stage.objects.filter(version=version)] == [1, 2, 3, 4, 5, 6]
    assert [(t.below_stage, t.name) for t in Threshold.objects.filter(version=version)] == [
        (1, "Readiness to build relationships with adults"),
        (2, "Disclosure"),
        (3, "Cognitive readiness"),
    ]
    catalogue = InterventionType.objects.filter(version=version)
    assert set(catalogue.values_list("lowest_stage", flat=True)) == {1, 2, 3, 4, 5, 6}
    assert catalogue.get(name="Cognitive behavioural therapy (CBT)").lowest_stage == 4
    assert all(stage.indicators for stage in Stage.objects.filter(version=version))


def test_the_current_stage_is_the_latest_assessment(cast: Cast) -> None:
    assert current_stage_number(cast.case) is None
    record(cast, 2, days_ago=10)
    record(cast, 3, days_ago=1)
    assert current_stage_number(cast.case) == 3
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.STAGE).order_by("-occurred_at").first()
    assert line is not None and line.summary == "TRM Stage 3: Working through trauma, moved on from stage 2"


def test_a_move_back_needs_a_note_and_tells_the_clinicians(cast: Cast, django_capture_on_commit_callbacks) -> None:
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    cast.case.refresh_from_db()
    record(cast, 3, days_ago=5)
    with pytest.raises(ValidationError) as error:
        record(cast, 2)
    assert "move_back_note" in error.value.message_dict
    assert current_stage_number(cast.case) == 3
    with django_capture_on_commit_callbacks(execute=True):
        record(cast, 2, move_back_note="Expected return to difficult behaviour after disclosure")
    assert current_stage_number(cast.case) == 2
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {cast.psychologist.email, cast.senior_practitioner.email}
    assert "Kai" not in mail.outbox[0].body


def test_invalid_assessments_are_refused_with_field_errors(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=TODAY + dt.timedelta(days=1),
            stage_number=7,
            evidence="",
            source="formulation",
            indicators=["Made up"],
        )
    assert set(error.value.message_dict) == {"stage_number", "assessed_on", "evidence", "indicators"}


def test_indicators_and_thresholds_are_kept(cast: Cast) -> None:
    stage = Stage.objects.get(version=current_version(), number=3)
    crossed = [t for t in thresholds() if t.below_stage < 3]
    assessment = record(cast, 3, indicators=stage.indicators[:2], thresholds_crossed=crossed)
    assert list(assessment.thresholds_crossed.order_by("below_stage")) == crossed  # type: ignore[attr-defined]
    assert assessment.indicators == stage.indicators[:2]  # type: ignore[attr-defined]


def test_assessments_keep_history(cast: Cast) -> None:
    assessment = record(cast, 2)
    history = apps.get_model("trm_stages", "StageAssessmentHistory")
    assert history.objects.filter(pgh_obj_id=assessment.pk, pgh_label="insert").count() == 1  # type: ignore[attr-defined]


def test_sequencing_for_a_case_uses_its_current_stage(cast: Cast) -> None:
    assert sequencing_for_case(case=cast.case, suits_from_stage=1).needs_justification  # no stage yet
    record(cast, 2)
    assert sequencing_for_case(case=cast.case, suits_from_stage=2).suits
    cbt = sequencing_for_case(case=cast.case, suits_from_stage=4)
    assert cbt.threshold_not_crossed == "Cognitive readiness"
