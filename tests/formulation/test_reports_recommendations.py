"""Recommendations and the sequencing rule ("the right thing at the right time"): CBT for Kai at stage 2
crosses the cognitive readiness threshold, so the author is warned and must justify it; mismatches
that stand today (the child may have moved back) show on the report and the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from formulation.models import ActionStatus, Recommendation
from formulation.selectors import open_actions, recommendations_for, sequencing_mismatches
from formulation.services import recommendation_change, recommendation_remove, report_sign_off
from tests.conftest import Cast
from tests.formulation.report_support import (
    add_recommendation,
    in_review,
    intervention,
    record_stage,
    signed_off,
    started,
    written,
)

CBT_WARNING = (
    "This suits children from stage 4; the child is at stage 2 and has not crossed the cognitive readiness "
    "threshold (nor yet disclosure)."
)


def test_cbt_for_a_child_at_stage_two_is_refused_without_a_justification(cast: Cast) -> None:
    report = written(cast)  # Kai is at stage 2
    cbt = intervention("Cognitive behavioural")
    with pytest.raises(ValidationError) as error:
        add_recommendation(report, cast, text="Twelve sessions of CBT.", intervention_type=cbt, suits_from_stage=None)
    [message] = error.value.message_dict["justification"]
    assert message == f"{CBT_WARNING} Give a justification to recommend it now."
    assert not report.recommendations.filter(text="Twelve sessions of CBT.").exists()


def test_cbt_with_a_justification_is_saved_with_the_warning_it_was_given(cast: Cast) -> None:
    report = written(cast)
    recommendation = add_recommendation(
        report,
        cast,
        text="Twelve sessions of CBT.",
        intervention_type=intervention("Cognitive behavioural"),
        suits_from_stage=None,
        justification="The court has ordered it; the sessions will start with relationship building.",
    )
    assert recommendation.suits_from_stage == 4
    assert recommendation.sequencing_warning == CBT_WARNING
    assert recommendation.justification.startswith("The court has ordered it")
    assert recommendation.position == 2


def test_a_recommendation_that_suits_the_childs_stage_needs_no_justification(cast: Cast) -> None:
    report = written(cast)
    recommendation = add_recommendation(report, cast, text="Keep his routine the same every week.", suits_from_stage=1)
    assert recommendation.sequencing_warning == "" and recommendation.justification == ""


def test_with_no_stage_recorded_every_recommendation_needs_a_justification(cast: Cast) -> None:
    report = started(cast)
    with pytest.raises(ValidationError, match="No TRM stage has been recorded"):
        add_recommendation(report, cast, suits_from_stage=1)


def test_a_recommendation_needs_text_an_owner_a_due_date_and_a_stage(cast: Cast) -> None:
    report = written(cast)
    with pytest.raises(ValidationError) as error:
        add_recommendation(report, cast, text=" ", owner=None, owner_name="", due_on=None, suits_from_stage=None)
    assert set(error.value.message_dict) == {"text", "owner", "due_on", "suits_from_stage"}
    with pytest.raises(ValidationError) as error:
        add_recommendation(report, cast, owner=None, owner_name="Dr Imogen Vale", owner_agency=None)
    assert set(error.value.message_dict) == {"owner_agency"}
    outside = add_recommendation(
        report, cast, owner=None, owner_name="Dr Imogen Vale", owner_agency=None, owner_agency_name="Avon Vale Surgery"
    )
    assert (outside.owner, outside.owner_agency_name) == (None, "Avon Vale Surgery")


def test_changing_a_recommendation_judges_the_rule_again(cast: Cast) -> None:
    report = written(cast)
    [recommendation] = report.recommendations.all()
    with pytest.raises(ValidationError, match="cognitive readiness"):
        recommendation_change(
            recommendation=recommendation,
            actor=cast.psychologist,
            text=recommendation.text,
            due_on=recommendation.due_on,
            suits_from_stage=4,
            owner=cast.teacher,
        )
    changed = recommendation_change(
        recommendation=recommendation,
        actor=cast.psychologist,
        text="Daily check-in, and a weekly chat about how the week went.",
        due_on=recommendation.due_on,
        suits_from_stage=3,
        justification="Kai has started to talk about home with Ms Marsh.",
        owner=cast.teacher,
        owner_name="Helen Marsh",
        owner_agency=cast.school,
    )
    assert changed.suits_from_stage == 3
    assert changed.sequencing_warning.startswith("This suits children from stage 3; the child is at stage 2")
    recommendation_remove(recommendation=changed, actor=cast.psychologist)
    assert not report.recommendations.exists()


def test_the_report_shows_mismatches_that_stand_today(cast: Cast) -> None:
    report = written(cast)
    add_recommendation(report, cast, text="Anger management group.", suits_from_stage=4, justification="Asked for.")
    judged = recommendations_for(report)
    assert [item.standing_warning == "" for item in judged] == [True, False]
    assert not judged[1].needs_justification
    record_stage(cast, 1, note="Kai's placement ended and he has stopped trusting adults.")
    judged = recommendations_for(report)
    assert judged[0].standing_warning.startswith("This suits children from stage 2; the child is at stage 1")
    assert judged[0].needs_justification


def test_sequencing_mismatches_lists_open_actions_above_the_childs_current_stage(cast: Cast) -> None:
    report = in_review(cast)
    add_recommendation(
        report, cast, text="Twelve sessions of CBT.", suits_from_stage=4, justification="Ordered by the court."
    )
    assert sequencing_mismatches(case=cast.case) == []  # not signed off: not actions yet
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    [cbt] = sequencing_mismatches(case=cast.case)
    assert cbt.action.text == "Twelve sessions of CBT." and not cbt.is_new
    assert "cognitive readiness" in cbt.warning

    # Kai moves back to stage 1: the check-in that suited him no longer does.
    record_stage(cast, 1, note="Kai's placement ended and he has stopped trusting adults.")
    mismatches = sequencing_mismatches(case=cast.case)
    assert sorted(item.action.text for item in mismatches) == [
        "A daily check-in with Ms Marsh at the start of the school day.",
        "Twelve sessions of CBT.",
    ]
    check_in = next(item for item in mismatches if item.action.suits_from_stage == 2)
    assert check_in.is_new and "readiness to build relationships" in check_in.warning.lower()

    # Done actions are no longer open; an action a review adds counts like the others.
    Recommendation.objects.filter(text="Twelve sessions of CBT.").update(status=ActionStatus.DONE)
    Recommendation.objects.create(
        case=cast.case,
        text="Restorative meeting with the victim.",
        suits_from_stage=4,
        owner_name="Sam Okafor",
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    assert sorted(item.action.text for item in sequencing_mismatches(case=cast.case)) == [
        "A daily check-in with Ms Marsh at the start of the school day.",
        "Restorative meeting with the victim.",
    ]
    assert open_actions(cast.case).count() == 2


def test_reformulation_judges_the_carried_recommendations_against_todays_stage(cast: Cast) -> None:
    signed_off(cast)
    record_stage(cast, 1, note="Kai's placement ended and he has stopped trusting adults.")
    second = started(cast)
    [carried] = second.recommendations.all()
    assert carried.sequencing_warning.startswith("This suits children from stage 2; the child is at stage 1")
    assert second.trm_stage == 1
