"""The TRM pages: recording a stage (and a move back), the stage history, the case page section,
the final stage at closure, and publishing a new version of the reference data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseEventKind
from cases.services import case_close, case_reopen
from tests.clock import hold_today
from tests.conftest import Cast
from trm_stages.models import InterventionType, Stage, StageAssessment, TrmVersion
from trm_stages.selectors import (
    current_version,
    current_version_key,
    reference_by_key,
    stage_journey,
    stages,
    thresholds,
)
from trm_stages.services import stage_assessment_record

TODAY = timezone.localdate()
_held = hold_today(TODAY)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(stage: int, *, days_ago: int = 0, **extra: Any) -> dict[str, Any]:
    day = TODAY - dt.timedelta(days=days_ago)
    return {
        "assessed_on_day": day.day,
        "assessed_on_month": day.month,
        "assessed_on_year": day.year,
        "stage": stage,
        "evidence": f"What we saw at stage {stage}",
        "source": "review",
        **extra,
    }


def record(cast: Cast, stage: int, days_ago: int, note: str = "") -> StageAssessment:
    return stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=TODAY - dt.timedelta(days=days_ago),
        stage_number=stage,
        evidence="Seen at home and at school",
        source="formulation",
        move_back_note=note,
    )


def test_the_psychologist_records_a_stage_with_indicators_and_thresholds(cast: Cast) -> None:
    stage_two = Stage.objects.get(version=current_version(), number=2)
    readiness = thresholds()[0]
    response = signed_in(cast.psychologist).post(
        f"/cases/{cast.case.pk}/stage/record/",
        form_data(2, indicators=stage_two.indicators[:2], thresholds_crossed=[readiness.pk]),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{cast.case.pk}/stage/"
    assessment = StageAssessment.objects.get(case=cast.case)
    assert (assessment.stage.number, assessment.source, assessment.assessor) == (2, "review", cast.psychologist)
    assert assessment.indicators == stage_two.indicators[:2]
    assert list(assessment.thresholds_crossed.all()) == [readiness]
    cast.case.refresh_from_db()
    assert cast.case.trm_stage == 2
    line = CaseEvent.objects.get(case=cast.case, kind=CaseEventKind.STAGE)
    assert line.link == f"/cases/{cast.case.pk}/stage/{assessment.pk}/"


def test_a_move_back_without_a_note_is_refused_and_keeps_what_was_typed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    Case.objects.filter(pk=cast.case.pk).update(psychologist=cast.psychologist)
    record(cast, 3, days_ago=20)
    client = signed_in(cast.psychologist)
    response = client.post(f"/cases/{cast.case.pk}/stage/record/", form_data(2))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Say why the child has moved back" in page
    assert "What we saw at stage 2" in page  # nothing typed is lost
    assert StageAssessment.objects.filter(case=cast.case).count() == 1

    with_note = form_data(2, move_back_note="Expected wobble after disclosing at school")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{cast.case.pk}/stage/record/", with_note)
    assert response.status_code == 302
    cast.case.refresh_from_db()
    assert cast.case.trm_stage == 2
    assert [message.subject for message in mail.outbox] == [f"ECM case {cast.case.pk}: TRM stage moved back"]


def test_an_indicator_of_another_stage_is_refused(cast: Cast) -> None:
    stage_five = Stage.objects.get(version=current_version(), number=5)
    response = signed_in(cast.psychologist).post(
        f"/cases/{cast.case.pk}/stage/record/", form_data(1, indicators=[stage_five.indicators[0]])
    )
    assert response.status_code == 200
    assert "Choose indicators from the stage&#x27;s list" in response.content.decode()
    assert not StageAssessment.objects.exists()


def test_a_stage_cannot_be_recorded_on_a_closed_case(cast: Cast) -> None:
    case_close(case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="Done", ending_plan="Plan")
    response = signed_in(cast.psychologist).post(f"/cases/{cast.case.pk}/stage/record/", form_data(3))
    assert response.status_code == 200
    assert "This case is closed. Reopen it to add or change anything." in response.content.decode()
    assert not StageAssessment.objects.exists()


def test_a_late_entry_for_an_earlier_date_does_not_change_the_current_stage(cast: Cast) -> None:
    record(cast, 4, days_ago=2)
    # Recorded today, about a month ago: stage 2 then. It follows nothing, so it is no move back.
    record(cast, 2, days_ago=30)
    cast.case.refresh_from_db()
    assert cast.case.trm_stage == 4
    journey = stage_journey(case=cast.case)
    assert [step.assessment.stage.number for step in journey.steps] == [2, 4]
    assert [step.moved_on for step in journey.steps] == [False, True]


def test_time_in_stage_counts_from_the_first_assessment_of_the_current_run(cast: Cast) -> None:
    record(cast, 2, days_ago=100)
    record(cast, 3, days_ago=60)
    record(cast, 3, days_ago=10)
    journey = stage_journey(case=cast.case)
    assert journey.current is not None and journey.current.stage.number == 3
    assert journey.in_stage_since == TODAY - dt.timedelta(days=60)
    assert journey.days_in_stage == 60


def test_the_stage_history_page_shows_the_chart_and_every_assessment(cast: Cast) -> None:
    record(cast, 3, days_ago=40)
    record(cast, 2, days_ago=5, note="After the court date")
    page = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/stage/").content.decode()
    assert "<svg" in page and "TRM stage over time" in page
    assert "Moved back" in page
    assert "Record the child's stage" not in page  # the case manager does not record stages
    assert "Tricia Skuse and Jonny Matthew" in page


def test_the_stage_history_query_count_is_pinned(cast: Cast, django_assert_max_num_queries: Any) -> None:
    for days_ago in range(60, 0, -1):
        record(cast, 1 + days_ago % 3, days_ago=days_ago, note="Moved back again")
    client = signed_in(cast.psychologist)
    with django_assert_max_num_queries(14):
        response = client.get(f"/cases/{cast.case.pk}/stage/")
    assert response.content.decode().count("/stage/") >= 60


def test_the_case_page_shows_the_stage_to_the_network_without_who_assessed(cast: Cast) -> None:
    record(cast, 2, days_ago=9)
    full = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/trm/").content.decode()
    assert "Stage 2: Trust and relationship building" in full
    assert "9 days" in full
    assert f"by {cast.psychologist.get_full_name()}" in full
    summary = signed_in(cast.teacher).get(f"/cases/{cast.case.pk}/").content.decode()
    assert "Stage 2: Trust and relationship building" in summary
    assert cast.psychologist.get_full_name() not in summary
    assert "See every stage assessment" not in summary


def test_the_case_page_without_a_stage_says_so(cast: Cast) -> None:
    page = signed_in(cast.psychologist).get(f"/cases/{cast.case.pk}/trm/").content.decode()
    assert "No TRM stage has been recorded for Kai yet." in page
    assert "Record the child's stage" in page


def test_closing_keeps_the_final_stage_and_reopening_clears_it(cast: Cast) -> None:
    record(cast, 4, days_ago=3)
    case = case_close(case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="o", ending_plan="p")
    assert case.final_trm_stage == 4
    page = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert "Final TRM stage" in page
    case = case_reopen(case=cast.case, actor=cast.case_manager, reason="Referred again")
    assert case.final_trm_stage is None


def publish_data(**changes: Any) -> dict[str, Any]:
    """The publish form as it comes, filled with the current version, with `changes` on top."""
    version = current_version()
    data: dict[str, Any] = {"note": "Clearer words for stage 1"}
    for stage in stages(version):
        prefix = f"stage-{stage.number}"
        data |= {
            f"{prefix}-name": stage.name,
            f"{prefix}-needs": stage.needs,
            f"{prefix}-description": stage.description,
            f"{prefix}-indicators": "\n".join(stage.indicators),
        }
    for threshold in thresholds(version):
        data |= {
            f"threshold-{threshold.below_stage}-name": threshold.name,
            f"threshold-{threshold.below_stage}-description": threshold.description,
        }
    items = list(InterventionType.objects.filter(version=version).order_by("lowest_stage", "name"))
    for index, item in enumerate(items):
        data |= {
            f"intervention-{index}-name": item.name,
            f"intervention-{index}-lowest_stage": item.lowest_stage,
            f"intervention-{index}-description": item.description,
        }
    data |= {
        "intervention-TOTAL_FORMS": len(items) + 1,
        "intervention-INITIAL_FORMS": len(items),
        "intervention-MIN_NUM_FORMS": 0,
        "intervention-MAX_NUM_FORMS": 1000,
    }
    return data | changes


def test_an_administrator_publishes_a_new_version_and_old_assessments_keep_their_words(cast: Cast) -> None:
    old = record(cast, 1, days_ago=3)
    data = publish_data(
        **{
            "stage-1-name": "Unsettled and unpredictable",
            "intervention-0-remove": "on",
            f"intervention-{InterventionType.objects.filter(version=current_version()).count()}-name": "Sensory play",
            f"intervention-{InterventionType.objects.filter(version=current_version()).count()}-lowest_stage": "1",
        }
    )
    response = signed_in(cast.administrator).post("/trm/publish/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    version = current_version()
    assert (version.number, version.note, version.published_by) == (2, "Clearer words for stage 1", cast.administrator)
    assert Stage.objects.get(version=version, number=1).name == "Unsettled and unpredictable"
    assert InterventionType.objects.filter(version=version, name="Sensory play", lowest_stage=1).exists()
    assert (
        InterventionType.objects.filter(version=version).count()
        == InterventionType.objects.filter(version__number=1).count()
    )  # one removed, one added
    old.refresh_from_db()
    assert old.stage.version.number == 1 and old.stage.name == "Instability and inconsistency"
    new = record(cast, 1, days_ago=0)
    assert new.stage.version == version and new.stage.name == "Unsettled and unpredictable"
    assert "Unsettled and unpredictable" in signed_in(cast.teacher).get("/trm/").content.decode()
    assert "Instability and inconsistency" in signed_in(cast.teacher).get("/trm/?version=1").content.decode()


def test_the_reference_data_read_with_a_page_follows_each_new_version(cast: Cast) -> None:
    """Issue 14: the review page reads the current version's key with its review, and the reference data
    behind the key is kept for the process (a version never changes). Publishing makes a new key."""

    def key_now() -> Any:
        return Case.objects.annotate(key=current_version_key()).values_list("key", flat=True).get(pk=cast.case.pk)

    first = key_now()
    assert reference_by_key(first).version.pk == current_version().pk
    assert reference_by_key(first) is reference_by_key(dict(first))  # read once
    before = {threshold.below_stage: threshold.name for threshold in reference_by_key(first).thresholds}
    response = signed_in(cast.administrator).post(
        "/trm/publish/", publish_data(**{"threshold-2-name": "Ready to think"})
    )
    assert response.status_code == 302
    second = key_now()
    assert second != first and reference_by_key(second).version.number == 2
    assert {threshold.below_stage: threshold.name for threshold in reference_by_key(second).thresholds} == (
        before | {2: "Ready to think"}
    )
    # The first version's data stays what it was.
    assert {threshold.below_stage: threshold.name for threshold in reference_by_key(first).thresholds} == before
    with pytest.raises(TrmVersion.DoesNotExist):
        reference_by_key(None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"note": ""}, "Enter what changed in this version"),
        ({"stage-3-name": ""}, "Enter the stage&#x27;s name"),
        ({"stage-2-indicators": "Same\nSame"}, "Each indicator must appear once"),
        ({"intervention-1-name": "Cognitive behavioural therapy (CBT)"}, "Each intervention must appear once"),
        ({"intervention-2-lowest_stage": ""}, "Choose the lowest stage this intervention suits"),
    ],
)
def test_publishing_refuses_bad_input_and_publishes_nothing(cast: Cast, changes: dict[str, str], message: str) -> None:
    response = signed_in(cast.administrator).post("/trm/publish/", publish_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert TrmVersion.objects.count() == 1
