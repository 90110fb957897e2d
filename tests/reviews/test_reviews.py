"""Reviews, the services: when the next review is due, scheduling (the meetings' own invitations and
.ics), each step of recording, and the sign-off that locks the review."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases.models import CaseEvent, CaseEventKind, CaseKind
from formulation.models import ActionStatus, Attendance, MeetingPurpose, Recommendation
from formulation.selectors import current_invitations
from formulation.services import meeting_cancel, meeting_record
from reviews.models import ActionProgress, Review, ReviewAction, ReviewGoalRating, ReviewStatus
from reviews.selectors import next_review
from reviews.services import (
    review_action_add,
    review_attendance_record,
    review_cadence_set,
    review_goals_rate,
    review_outcome_set,
    review_schedule,
    review_sign_off,
    review_stage_record,
    review_walkthrough_record,
)
from reviews.walkthrough import review_steps, walkthrough
from tests.conftest import Cast
from tests.factories import signed_off_report
from tests.formulation.helpers import calendar_in
from tests.reviews.helpers import at, on
from tests.reviews.review_helpers import (
    CBT,
    FIRST_DUE,
    REASON,
    REVIEW_DAY,
    SIGNED_ON,
    allocate_clinicians,
    formulated,
    invitees,
    record_attendance,
    record_every_step,
    reload,
    scheduled_review,
)
from trm_stages.models import AssessmentSource, GoalRating, RatingContext, StageAssessment

ENTRY = (ActionStatus.IN_PROGRESS, "Going well.")


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# When the next review is due.


def test_no_review_is_proposed_before_the_formulation_report_is_signed_off(cast: Cast) -> None:
    upcoming = next_review(cast.case)
    assert (upcoming.due_on, upcoming.every_weeks, upcoming.scheduled, upcoming.last) == (None, 8, None, None)
    assert upcoming.basis == "proposed once the formulation report is signed off"


def test_the_first_review_is_proposed_a_cadence_after_the_report_is_signed_off(cast: Cast) -> None:
    with on(SIGNED_ON):
        signed_off_report(cast, signed_off_at=at(SIGNED_ON, 12), reason_for_referral=REASON)
    assert next_review(cast.case).due_on == FIRST_DUE
    review_cadence_set(case=cast.case, actor=cast.case_manager, every_weeks=6)
    upcoming = next_review(cast.case)
    assert (upcoming.every_weeks, upcoming.due_on) == (6, SIGNED_ON + dt.timedelta(weeks=6))
    assert upcoming.basis == "after the formulation report was signed off"
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.REVIEW).get()
    assert line.summary == "Reviews set to every 6 weeks"


@pytest.mark.parametrize("weeks", [0, 53, None])
def test_the_cadence_is_from_one_to_fifty_two_weeks(cast: Cast, weeks: int | None) -> None:
    with pytest.raises(ValidationError) as error:
        review_cadence_set(case=cast.case, actor=cast.case_manager, every_weeks=weeks)
    assert messages_of(error) == {"every_weeks": ["Enter a number of weeks from 1 to 52"]}


def test_each_signed_off_review_proposes_the_next_date(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        review_outcome_set(
            review=reload(review),
            actor=cast.senior_practitioner,
            childs_views="Kai says school is better.",
            next_review_on=dt.date(2027, 4, 21),
        )
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
        upcoming = next_review(cast.case)
    assert upcoming.due_on == dt.date(2027, 4, 21)
    assert upcoming.last == review
    assert upcoming.basis == "chosen at the review of 3 March 2027"


# Scheduling.


def test_a_senior_practitioner_schedules_a_review_meeting_with_calendar_invitations(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    formulated(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review = scheduled_review(cast)
    assert (review.chair, review.status, review.meeting.purpose) == (
        cast.senior_practitioner,
        ReviewStatus.OPEN,
        MeetingPurpose.REVIEW,
    )
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cast.teacher.email, cast.case_manager.email, cast.psychologist.email]
    )
    [event] = calendar_in(mail.outbox[0]).walk("VEVENT")
    assert str(event["uid"]) == review.meeting.ics_uid
    assert "Brennan" not in str(event["summary"])
    with on(SIGNED_ON + dt.timedelta(days=1)):
        assert next_review(cast.case).scheduled == review


def test_one_review_at_a_time_until_its_meeting_is_cancelled(cast: Cast) -> None:
    formulated(cast)
    first = scheduled_review(cast)
    with pytest.raises(ValidationError) as error:
        scheduled_review(cast, day=REVIEW_DAY + dt.timedelta(days=1))
    assert messages_of(error) == {
        "__all__": [
            "A review is already scheduled for 3 March 2027 at 10:00: sign it off, or cancel its meeting, "
            "before scheduling another"
        ]
    }
    with on(dt.date(2027, 2, 18)):
        meeting_cancel(meeting=first.meeting, actor=cast.senior_practitioner, reason="The school is closed that day")
    second = scheduled_review(cast, day=REVIEW_DAY + dt.timedelta(days=1), scheduled_on=dt.date(2027, 2, 18))
    assert reload(first).status == ReviewStatus.CANCELLED
    assert reload(second).status == ReviewStatus.OPEN


def test_a_consultation_case_has_no_reviews(cast: Cast) -> None:
    type(cast.case).objects.filter(pk=cast.case.pk).update(kind=CaseKind.CONSULTATION)
    cast.case.refresh_from_db()
    with pytest.raises(ValidationError) as error, on(SIGNED_ON):
        review_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            starts_at=at(REVIEW_DAY, 10),
            ends_at=at(REVIEW_DAY, 11),
            location="Bristol YJS",
            invitees=invitees(cast),
        )
    assert messages_of(error) == {"__all__": ["This case is for consultation only: it has no reviews"]}
    assert not Review.objects.exists()


def test_bad_meeting_details_schedule_nothing(cast: Cast) -> None:
    formulated(cast)
    with pytest.raises(ValidationError) as error, on(SIGNED_ON):
        review_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            starts_at=at(REVIEW_DAY, 10),
            ends_at=at(REVIEW_DAY, 9),
            invitees=[],
        )
    assert set(messages_of(error)) == {"ends_at", "location", "invitees"}
    assert not Review.objects.exists()


# Recording.


def test_nothing_is_recorded_before_the_meeting_starts(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 9, 59), pytest.raises(ValidationError) as error:
        review_walkthrough_record(
            review=reload(review), actor=cast.senior_practitioner, entries={a.pk: ENTRY for a in state.actions}
        )
    assert messages_of(error) == {"__all__": ["You can record the review once its meeting has started"]}
    assert not ActionProgress.objects.exists()


def test_attendance_is_recorded_on_the_meetings_invitations(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        review = reload(review)
        invitations = list(current_invitations(review.meeting))
        with pytest.raises(ValidationError):
            review_attendance_record(review=review, actor=cast.senior_practitioner, attendance={}, notes="")
        record_attendance(cast, review)
    assert {invitation.attendance for invitation in current_invitations(review.meeting)} == {Attendance.ATTENDED}
    assert len(invitations) == 3
    assert review_steps(reload(review)).attendance_done


def test_the_walkthrough_covers_every_open_action_and_shows_the_standing_sequencing_warning(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        items = walkthrough(reload(review))
    assert [item.action for item in items] == state.actions
    warnings = {item.action.text: item.warning for item in items}
    assert warnings[CBT] == (
        "This suits children from stage 4; the child is at stage 2 and has not crossed the cognitive readiness "
        "threshold (nor yet disclosure)."
    )
    assert warnings[state.school_action.text] == ""


def test_the_walkthrough_saves_every_action_or_none(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    entries = {
        state.school_action.pk: (ActionStatus.DONE, "Check-ins happen every morning; Kai asked to keep them."),
        state.holder_action.pk: (ActionStatus.IN_PROGRESS, "Seven of eight sessions kept."),
        state.cbt_action.pk: (ActionStatus.NOT_STARTED, "Not yet: Kai is not ready."),
    }
    with on(REVIEW_DAY, 12):
        with pytest.raises(ValidationError) as error:
            review_walkthrough_record(
                review=reload(review),
                actor=cast.senior_practitioner,
                entries={**entries, state.cbt_action.pk: ("", " ")},
            )
        assert set(messages_of(error)) == {f"status_{state.cbt_action.pk}", f"note_{state.cbt_action.pk}"}
        assert not ActionProgress.objects.exists()
        saved = review_walkthrough_record(review=reload(review), actor=cast.senior_practitioner, entries=entries)
    assert len(saved) == 3
    progress = {note.action_id: note for note in ActionProgress.objects.filter(review=review)}
    assert progress[state.school_action.pk].noted_on == REVIEW_DAY
    assert progress[state.cbt_action.pk].sequencing_warning.startswith("This suits children from stage 4")
    assert progress[state.school_action.pk].sequencing_warning == ""
    statuses = dict(Recommendation.objects.values_list("pk", "status"))
    assert statuses[state.school_action.pk] == ActionStatus.DONE
    assert statuses[state.holder_action.pk] == ActionStatus.IN_PROGRESS
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.ACTION).get()
    assert line.summary == "Progress on 3 actions recorded at the review of 3 March 2027: 1 done, 0 no longer needed"

    # Saving again corrects this review's notes: the done action is still in the walk-through, nothing doubles.
    with on(REVIEW_DAY, 13):
        again = reload(review)
        assert [item.action for item in walkthrough(again)] == state.actions
        review_walkthrough_record(
            review=again,
            actor=cast.senior_practitioner,
            entries={**entries, state.holder_action.pk: (ActionStatus.IN_PROGRESS, "All eight sessions kept.")},
        )
    assert ActionProgress.objects.filter(review=review).count() == 3
    assert ActionProgress.objects.get(review=review, action=state.holder_action).note == "All eight sessions kept."


def test_the_trm_reassessment_is_the_chosen_psychologists_with_source_review(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        with pytest.raises(ValidationError) as error:
            review_stage_record(
                review=reload(review),
                actor=cast.senior_practitioner,
                assessor=cast.senior_practitioner,
                stage_number=3,
                evidence="Kai told Ms Marsh about his brother.",
            )
        assert messages_of(error) == {"assessor": ["Choose the psychologist who assessed the child's stage"]}
        assessment = review_stage_record(
            review=reload(review),
            actor=cast.senior_practitioner,
            assessor=cast.psychologist,
            stage_number=3,
            evidence="Kai told Ms Marsh about his brother.",
        )
        with pytest.raises(ValidationError):
            review_stage_record(
                review=reload(review),
                actor=cast.psychologist,
                assessor=cast.psychologist,
                stage_number=3,
                evidence="Again.",
            )
    assert (assessment.source, assessment.assessor, assessment.assessed_on, assessment.stage.number) == (
        AssessmentSource.REVIEW,
        cast.psychologist,
        REVIEW_DAY,
        3,
    )
    fresh = reload(review)
    assert (fresh.stage_assessment, fresh.stage_recorded_by) == (assessment, cast.senior_practitioner)
    assert StageAssessment.objects.filter(case=cast.case).count() == 2
    # The CBT warning now names only the cognitive readiness threshold.
    with on(REVIEW_DAY, 12):
        cbt = next(item for item in walkthrough(fresh) if item.action.text == CBT)
    assert "nor yet" not in cbt.warning


def test_goal_ratings_at_the_review_are_all_saved_or_none(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    first, second = state.goals
    with on(REVIEW_DAY, 12):
        with pytest.raises(ValidationError) as error:
            review_goals_rate(
                review=reload(review), actor=cast.senior_practitioner, ratings={first.pk: (7, ""), second.pk: (11, "")}
            )
        assert messages_of(error) == {f"score_{second.pk}": ["Enter a score from 0 to 10 for goal 2"]}
        assert GoalRating.objects.filter(context=RatingContext.REVIEW).count() == 0
        review_goals_rate(
            review=reload(review),
            actor=cast.senior_practitioner,
            ratings={first.pk: (7, "Four full weeks in lessons"), second.pk: (6, "")},
        )
    ratings = GoalRating.objects.filter(context=RatingContext.REVIEW).order_by("goal__set_on", "goal_id")
    assert [(rating.goal_id, rating.score, rating.rated_on) for rating in ratings] == [
        (first.pk, 7, REVIEW_DAY),
        (second.pk, 6, REVIEW_DAY),
    ]
    assert ReviewGoalRating.objects.filter(review=review).count() == 2
    assert review_steps(reload(review)).goals_to_rate == 0


def test_a_new_action_has_an_owner_who_sees_the_case_a_due_date_and_a_reason_when_it_suits_a_later_stage(
    cast: Cast,
) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        with pytest.raises(ValidationError) as error:
            review_action_add(
                review=reload(review),
                actor=cast.senior_practitioner,
                text="Talk to Kai about the youth club",
                owner=cast.social_worker,
                due_on=REVIEW_DAY - dt.timedelta(days=1),
                suits_from_stage=5,
            )
        errors = messages_of(error)
        assert errors["owner"] == [
            "Rob Ingram cannot see this case in ECM: share the case's summary with them, or choose someone else"
        ]
        assert errors["due_on"] == ["The date the action is due must be today or in the future"]
        assert errors["justification"][0].startswith("This suits children from stage 5; the child is at stage 2")
        assert not ReviewAction.objects.exists()
        action = review_action_add(
            review=reload(review),
            actor=cast.senior_practitioner,
            text="Find Kai a place at the Saturday football club",
            owner=cast.teacher,
            due_on=dt.date(2027, 3, 31),
            suits_from_stage=2,
        )
        outsider = review_action_add(
            review=reload(review),
            actor=cast.senior_practitioner,
            text="Offer Kai's mother a parenting group",
            owner_name="Dee Carver",
            owner_agency_name="Southmead Family Hub",
            due_on=dt.date(2027, 4, 14),
            suits_from_stage=4,
            justification="For his mother, not for Kai: it does not ask Kai to reflect.",
        )
    assert (action.report, action.owner, action.owner_agency, action.status) == (
        None,
        cast.teacher,
        cast.school,
        ActionStatus.NOT_STARTED,
    )
    assert action.became_action_at is not None
    assert (outsider.owner, outsider.owner_name, outsider.owner_agency_name) == (
        None,
        "Dee Carver",
        "Southmead Family Hub",
    )
    assert outsider.sequencing_warning.startswith("This suits children from stage 4")
    assert list(ReviewAction.objects.filter(review=review).values_list("action_id", flat=True).order_by("pk")) == [
        action.pk,
        outsider.pk,
    ]
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.ACTION).order_by("pk").first()
    assert line is not None
    assert (
        line.summary
        == "Action added at the review of 3 March 2027 for Helen Marsh, Fernbrook Academy, due 31 March 2027"
    )
    # Actions added at this review are not walked through at it.
    with on(REVIEW_DAY, 12):
        assert action not in [item.action for item in walkthrough(reload(review))]


def test_the_next_review_is_after_this_one_and_within_a_year(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        for day, message in [
            (REVIEW_DAY, "The next review must be after this one, on 3 March 2027"),
            (REVIEW_DAY + dt.timedelta(weeks=53), "The next review must be within a year of this one"),
        ]:
            with pytest.raises(ValidationError) as error:
                review_outcome_set(
                    review=reload(review), actor=cast.senior_practitioner, childs_views=" ", next_review_on=day
                )
            assert messages_of(error) == {
                "childs_views": ["Enter the child's views, or why they were not given"],
                "next_review_on": [message],
            }


# Signing off.


def test_sign_off_needs_every_step(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12), pytest.raises(ValidationError) as error:
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
    assert messages_of(error) == {
        "__all__": [
            "Record who attended the review",
            "Record the TRM re-assessment",
            "Record progress on every open action (0 of 3 done)",
            "Rate every open goal (2 not rated yet)",
            "Record the child's views and the date of the next review",
        ]
    }
    assert reload(review).status == ReviewStatus.OPEN


def test_signing_off_locks_the_review(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        signed = review_sign_off(review=reload(review), actor=cast.senior_practitioner)
    assert (signed.status, signed.signed_off_by) == (ReviewStatus.SIGNED_OFF, cast.senior_practitioner)
    assert [line["attendance"] for line in signed.attendance_record] == [Attendance.ATTENDED] * 3
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.REVIEW).get()
    assert line.summary == (
        "Review of 3 March 2027 signed off: 3 of 3 invited attended, progress on 3 actions, 0 new; "
        "next review 28 April 2027"
    )
    locked = "This review was signed off on 3 March 2027: it can no longer be changed"
    attempts = [
        lambda: record_attendance(cast, reload(review)),
        lambda: review_stage_record(
            review=reload(review),
            actor=cast.psychologist,
            assessor=cast.psychologist,
            stage_number=3,
            evidence="Later",
        ),
        lambda: review_walkthrough_record(
            review=reload(review), actor=cast.senior_practitioner, entries={a.pk: ENTRY for a in state.actions}
        ),
        lambda: review_goals_rate(review=reload(review), actor=cast.senior_practitioner, ratings={}),
        lambda: review_action_add(
            review=reload(review),
            actor=cast.senior_practitioner,
            text="Late",
            owner=cast.teacher,
            due_on=dt.date(2027, 4, 1),
            suits_from_stage=1,
        ),
        lambda: review_outcome_set(
            review=reload(review),
            actor=cast.senior_practitioner,
            childs_views="Changed",
            next_review_on=dt.date(2027, 4, 1),
        ),
        lambda: review_sign_off(review=reload(review), actor=cast.senior_practitioner),
    ]
    with on(REVIEW_DAY + dt.timedelta(days=2), 9):
        for attempt in attempts:
            with pytest.raises(ValidationError) as error:
                attempt()
            assert messages_of(error) == {"__all__": [locked]}
        # A later correction on the meeting's own page leaves the signed-off record as it was.
        invitation = current_invitations(reload(review).meeting).first()
        assert invitation is not None
        meeting_record(
            meeting=reload(review).meeting,
            actor=cast.senior_practitioner,
            attendance={other.pk: Attendance.DID_NOT_ATTEND for other in current_invitations(reload(review).meeting)},
            notes="",
        )
    fresh = reload(review)
    assert fresh.childs_views == "Kai says school is better since the check-ins started."
    assert [line["attendance"] for line in fresh.attendance_record] == [Attendance.ATTENDED] * 3
    assert ReviewAction.objects.count() == 0
    assert ActionProgress.objects.filter(review=review).count() == 3


def test_signed_off_warnings_are_those_standing_after_the_reviews_trm_reassessment(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
        items = {item.action.pk: item for item in walkthrough(reload(review))}
    assert items[state.cbt_action.pk].sequencing is None  # no longer computed: kept from the sign-off
    assert items[state.cbt_action.pk].warning.startswith("This suits children from stage 4")
    assert items[state.school_action.pk].warning == ""


def test_a_review_of_a_closed_case_records_nothing(cast: Cast) -> None:
    allocate_clinicians(cast)
    formulated(cast)
    review = scheduled_review(cast)
    type(cast.case).objects.filter(pk=cast.case.pk).update(status="closed")
    with on(REVIEW_DAY, 12), pytest.raises(ValidationError) as error:
        review_outcome_set(
            review=reload(review), actor=cast.senior_practitioner, childs_views="x", next_review_on=dt.date(2027, 4, 1)
        )
    assert messages_of(error) == {"__all__": ["This case is closed. Reopen it to add or change anything."]}
