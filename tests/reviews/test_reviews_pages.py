"""Review pages: the review and its steps, errors shown with the GOV.UK error summary and nothing
half-saved, a signed-off review refusing every step, and the pages' query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from formulation.models import ActionStatus, Attendance, Recommendation
from formulation.selectors import current_invitations
from reviews.case_page import review_section_context
from reviews.models import ActionProgress, Review, ReviewAction, ReviewStatus
from reviews.services import (
    action_progress_add,
    review_attendance_record,
    review_goals_rate,
    review_sign_off,
    review_stage_record,
    review_walkthrough_record,
)
from tests.conftest import Cast
from tests.factories import recommendation
from tests.reviews.helpers import on
from tests.reviews.review_helpers import (
    CBT,
    FIRST_DUE,
    REVIEW_DAY,
    SCHEDULED_ON,
    Formulated,
    formulated,
    meeting_of,
    record_every_step,
    reload,
    scheduled_review,
)
from trm_stages.models import StageAssessment


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(review: Review, suffix: str = "") -> str:
    return f"/cases/{review.case_id}/reviews/{review.pk}/{suffix}"


def body(response: Any) -> str:
    return response.content.decode()


def test_the_reviews_page_shows_when_the_next_review_is_due(cast: Cast) -> None:
    formulated(cast)
    with on(SCHEDULED_ON):
        response = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/reviews/")
    page = body(response)
    assert "Due on 3 March 2027, after the formulation report was signed off" in page
    assert "Every 8 weeks" in page
    assert "Schedule a review" not in page  # the case manager does not chair reviews
    with on(SCHEDULED_ON):
        chair_page = body(signed_in(cast.senior_practitioner).get(f"/cases/{cast.case.pk}/reviews/"))
    assert "Schedule a review" in chair_page


def test_the_case_manager_sets_the_cadence(cast: Cast) -> None:
    formulated(cast)
    with on(SCHEDULED_ON):
        client = signed_in(cast.case_manager)
        response = client.post(f"/cases/{cast.case.pk}/reviews/cadence/", {"every_weeks": "100"})
        assert "Enter a number of weeks from 1 to 52" in body(response)
        response = client.post(f"/cases/{cast.case.pk}/reviews/cadence/", {"every_weeks": "6"}, follow=True)
    assert "Reviews are now every 6 weeks" in body(response)
    assert "Due on 17 February 2027" in body(response)


def test_the_chair_schedules_a_review_on_the_proposed_day(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    formulated(cast)
    url = f"/cases/{cast.case.pk}/reviews/new/"
    with on(SCHEDULED_ON):
        client = signed_in(cast.senior_practitioner)
        form = body(client.get(url))
        assert 'name="day_day" type="text" inputmode="numeric" value="3"' in form
        assert "Helen Marsh (Designated teacher, Fernbrook Academy)" in form
        errors = body(client.post(url, {}))
        assert "There is a problem" in errors and "Enter the date of the meeting" in errors
        assert not Review.objects.exists()
        teacher_key = next(line for line in form.splitlines() if "member:" in line).split('value="')[1].split('"')[0]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {
                    "day_day": "3",
                    "day_month": "3",
                    "day_year": "2027",
                    "start_time": "10:00",
                    "end_time": "11:30",
                    "location": "Meeting room 2, Fernbrook Academy",
                    "chosen": [teacher_key],
                },
            )
    review = Review.objects.get()
    assert response["Location"] == review.get_absolute_url()
    assert (review.chair, review.meeting.location) == (cast.senior_practitioner, "Meeting room 2, Fernbrook Academy")


def test_the_review_page_lists_the_steps_for_the_chair_only(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        chair = body(signed_in(cast.senior_practitioner).get(page_of(review)))
        reader = body(signed_in(cast.case_manager).get(page_of(review)))
        psychologist = body(signed_in(cast.psychologist).get(page_of(review)))
    assert f'href="{page_of(review, "actions/")}"' in chair
    assert "0 of 3 done" in chair and "2 to rate" in chair
    assert "Check and sign off the review" in chair
    assert f'href="{page_of(review, "actions/")}"' not in reader
    assert "Check and sign off the review" not in reader
    # The psychologist records the TRM re-assessment and nothing else.
    assert f'href="{page_of(review, "stage/")}"' in psychologist
    assert f'href="{page_of(review, "attendance/")}"' not in psychologist


def test_before_the_meeting_the_steps_wait(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(SCHEDULED_ON + dt.timedelta(days=1)):
        client = signed_in(cast.senior_practitioner)
        page = body(client.get(page_of(review)))
        response = client.get(page_of(review, "actions/"), follow=True)
    assert "You can record the review once its meeting has started." in page
    assert f'href="{page_of(review, "actions/")}"' not in page
    assert response.redirect_chain == [(page_of(review), 302)]
    assert "You can record the review once its meeting has started" in body(response)


def test_the_walkthrough_page_shows_the_standing_warning_and_saves_nothing_until_complete(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    url = page_of(review, "actions/")
    data: dict[str, str] = {}
    for action in state.actions:
        data[f"status_{action.pk}"] = ActionStatus.IN_PROGRESS
        data[f"note_{action.pk}"] = "Going well."
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        page = body(client.get(url))
        missing = body(client.post(url, {**data, f"note_{state.cbt_action.pk}": ""}))
        assert not ActionProgress.objects.exists()
        response = client.post(url, data)
    assert CBT in page
    assert "has not crossed the cognitive readiness threshold" in page
    assert "Justified when agreed: Kai asked for it himself." in page
    assert "There is a problem" in missing
    assert f'<a href="#id_note_{state.cbt_action.pk}">Enter a progress note for action 3</a>' in missing
    assert response.status_code == 302
    assert ActionProgress.objects.filter(review=review).count() == 3


def test_the_stage_page_records_the_psychologists_assessment(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    url = page_of(review, "stage/")
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        form = body(client.get(url))
        assert f'<option value="{cast.psychologist.pk}" selected>Alex Morgan</option>' in form
        errors = body(client.post(url, {"assessor": cast.psychologist.pk}))
        assert "Choose the child&#x27;s stage" in errors and "Enter the evidence for this stage" in errors
        response = client.post(
            url, {"assessor": cast.psychologist.pk, "stage": "3", "evidence": "Kai told Ms Marsh about his brother."}
        )
    assert response.status_code == 302
    assessment = StageAssessment.objects.get(review__pk=review.pk)
    assert (assessment.assessor, assessment.stage.number, assessment.source) == (cast.psychologist, 3, "review")


def test_adding_an_action_for_someone_else_needs_their_name_and_agency(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    url = page_of(review, "actions/new/")
    data = {
        "text": "Offer Kai's mother a parenting group",
        "owner": "other",
        "due_on_day": "14",
        "due_on_month": "4",
        "due_on_year": "2027",
        "suits_from_stage": "1",
    }
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        errors = body(client.post(url, data))
        assert "Enter the full name of the person who will do this" in errors
        assert "Choose their agency, or enter its name" in errors
        assert not ReviewAction.objects.exists()
        response = client.post(
            url, {**data, "other_name": "Dee Carver", "other_agency_name": "Southmead Family Hub"}, follow=True
        )
    assert "Action added for Dee Carver, Southmead Family Hub" in body(response)
    assert ReviewAction.objects.get().action.owner_name == "Dee Carver"


def test_the_sign_off_page_lists_what_is_missing_and_signs_off_when_nothing_is(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    url = page_of(review, "sign-off/")
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        page = body(client.get(url))
        refused = body(client.post(url))
        record_every_step(cast, review)
        response = client.post(url, follow=True)
    assert "Record the TRM re-assessment" in page
    assert "Sign off the review</button>" not in page
    assert "There is a problem" in refused
    assert "Review signed off: it can no longer be changed" in body(response)
    assert reload(review).status == ReviewStatus.SIGNED_OFF


def test_every_step_of_a_signed_off_review_refuses(cast: Cast) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        record_every_step(cast, review)
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
        before = list(ActionProgress.objects.values_list("pk", "status", "note"))
        for suffix in ["attendance/", "stage/", "actions/", "goals/", "actions/new/", "views/", "sign-off/"]:
            for method in ("get", "post"):
                response = getattr(client, method)(page_of(review, suffix), follow=True)
                assert response.redirect_chain == [(page_of(review), 302)], (suffix, method)
                assert "This review was signed off on 3 March 2027: it can no longer be changed" in body(response)
        client.post(
            page_of(review, "actions/"),
            {f"status_{state.school_action.pk}": ActionStatus.DONE, f"note_{state.school_action.pk}": "Changed"},
        )
        page = body(client.get(page_of(review)))
    assert list(ActionProgress.objects.values_list("pk", "status", "note")) == before
    assert "Record the review" not in page
    assert "Signed off" in page and "Jordan Reeve" in page


def _actions_for(cast: Cast, state: Formulated, count: int) -> None:
    owners = [cast.teacher, cast.case_manager, cast.psychologist, cast.senior_practitioner]
    with on(dt.date(2027, 1, 6), 12):
        for number in range(count):
            recommendation(
                cast,
                state.report,
                f"Action number {number}",
                owner=owners[number % 4],
                suits_from_stage=1 + number % 6,
                due_on=dt.date(2027, 4, 1) + dt.timedelta(days=number),
                position=10 + number,
            )


def _walk_through_everything(cast: Cast, review: Review, client: Client) -> None:
    data: dict[str, str] = {}
    for action in Recommendation.objects.filter(case=cast.case):
        data[f"status_{action.pk}"] = ActionStatus.IN_PROGRESS
        data[f"note_{action.pk}"] = "Going well."
    assert client.post(page_of(review, "actions/"), data).status_code == 302


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_review_page_and_the_walkthrough_cost_the_same_queries_for_3_actions_or_20(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        invitations = {f"attendance_{i.pk}": Attendance.ATTENDED for i in current_invitations(review.meeting)}
        client.post(page_of(review, "attendance/"), invitations)
        _walk_through_everything(cast, review, client)
        few = (_queries(client, page_of(review)), _queries(client, page_of(review, "actions/")))
        _actions_for(cast, state, 17)
        _walk_through_everything(cast, review, client)
        many = (_queries(client, page_of(review)), _queries(client, page_of(review, "actions/")))
        assert Recommendation.objects.filter(case=cast.case).count() == 20
        with django_assert_max_num_queries(40):
            page = client.get(page_of(review))
        with django_assert_max_num_queries(32):
            client.get(page_of(review, "actions/"))
    assert body(page).count("Going well.") == 20
    # The sequencing rule is asked once per distinct stage the actions suit (1, 2 and 4, then all six):
    # three queries each, whatever the number of actions.
    assert many[0] - few[0] <= 9 and many[1] - few[1] <= 9, (few, many)
    # Issue 14: a composite page reads at most 12 queries (the page's own: its walk-through and the actions
    # added at it in one read, with their notes at this review; the goals left to rate, the ratings, the
    # invitations and the child's stage with the review's row).
    assert few[0] <= 12, few


def test_the_review_page_shows_what_it_reads_with_the_review_and_its_actions(cast: Cast) -> None:
    """Issue 14: the invitations, the goal ratings, the child's stage, the reference data and each action's
    note at this review come with the review's and the actions' rows. Each shows what belongs to this review."""
    state = formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY - dt.timedelta(days=7), 12):
        # A note between reviews: the action's latest, but not one written at this review.
        action_progress_add(
            action=state.school_action, actor=cast.teacher, status=ActionStatus.IN_PROGRESS, note="Check-ins daily."
        )
    with on(REVIEW_DAY, 12):
        invitations = {i.pk: Attendance.ATTENDED for i in current_invitations(review.meeting)}
        invitations[next(i.pk for i in current_invitations(review.meeting) if i.name == "Alex Morgan")] = (
            Attendance.APOLOGIES
        )
        review_attendance_record(
            review=reload(review), actor=cast.senior_practitioner, attendance=invitations, notes=""
        )
        review_walkthrough_record(
            review=reload(review),
            actor=cast.senior_practitioner,
            entries={
                state.school_action.pk: (ActionStatus.DONE, "Kai now arrives on time."),
                state.holder_action.pk: (ActionStatus.IN_PROGRESS, "Sessions kept every week."),
                state.cbt_action.pk: (ActionStatus.NOT_STARTED, "Waits for CAMHS."),
            },
        )
        first, second = state.goals
        review_goals_rate(
            review=reload(review),
            actor=cast.senior_practitioner,
            ratings={first.pk: (7, "Four full weeks in lessons"), second.pk: (4, "")},
        )
    with on(REVIEW_DAY + dt.timedelta(days=1), 12):
        # The action's latest note now, written after the review: not the review's either.
        action_progress_add(
            action=state.school_action, actor=cast.teacher, status=ActionStatus.DONE, note="Still on time."
        )
        page = body(signed_in(cast.senior_practitioner).get(page_of(review)))
    assert "2 of 3 invited attended." in page
    assert page.index("Alex Morgan") < page.index("Helen Marsh")  # the agencies in alphabetical order
    for note in ("Kai now arrives on time.", "Sessions kept every week.", "Waits for CAMHS."):
        assert note in page
    assert "Check-ins daily." not in page and "Still on time." not in page  # not written at this review
    # CBT suits stage 4 and Kai is at stage 2: the warning names the threshold between, from the reference data.
    assert page.count('govuk-tag--orange">Warning</strong>') == 1
    ratings = page[page.index("Goal ratings at this review") :]
    assert ratings.index("Stay in lessons all week") < ratings.index("Sleep at home every night")
    assert "Four full weeks in lessons" in ratings and ">7</td>" in ratings and ">4</td>" in ratings
    # Another review of the same case (one open at a time: this one cancelled) shows none of them.
    meeting = meeting_of(review)
    meeting.pk, meeting.ics_uid = None, "ecm-meeting-another-review@example.invalid"
    meeting.save()
    other = Review.objects.create(
        case=cast.case, meeting=meeting, chair=cast.senior_practitioner, status=ReviewStatus.CANCELLED
    )
    with on(REVIEW_DAY, 12):
        later = body(signed_in(cast.senior_practitioner).get(page_of(other)))
    assert "Kai now arrives on time." not in later and "Four full weeks in lessons" not in later
    assert "No goals rated at this review." in later


def test_the_case_page_section_gives_the_next_review_and_the_open_actions(cast: Cast) -> None:
    state = formulated(cast)
    with on(dt.date(2027, 2, 25)):
        context = review_section_context(cast.case_manager, cast.case, None)
        assert review_section_context(cast.teacher, cast.case, None) is None
    assert context is not None
    assert context["next_review"].due_on == FIRST_DUE
    assert (context["open_action_count"], context["overdue_action_count"]) == (3, 1)
    assert state.school_action.due_on < dt.date(2027, 2, 25)
    assert context["caps"].chair is False


def test_the_review_page_query_count_is_pinned_with_many_actions_behind_it(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    state = formulated(cast)
    review = scheduled_review(cast)
    _actions_for(cast, state, 27)
    with on(REVIEW_DAY, 12):
        client = signed_in(cast.senior_practitioner)
        invitations = {f"attendance_{i.pk}": Attendance.ATTENDED for i in current_invitations(review.meeting)}
        client.post(page_of(review, "attendance/"), invitations)
        _walk_through_everything(cast, review, client)
        review_stage_record(
            review=reload(review),
            actor=cast.senior_practitioner,
            assessor=cast.psychologist,
            stage_number=2,
            evidence="Kai still relies on Ms Marsh.",
        )
        # Every request: session, user and the person's standing (with their permissions, memberships and
        # unread notifications) (3). The access module: the case and the access event (2). The page's own
        # work, 2: the review with its meeting, chair, re-assessment, invitations, goal ratings, the goals
        # still to rate, the child's stage and the reference data's version; the walk-through's actions and
        # the actions added, each with its note at this review. The reference data behind the version is
        # read once per process (here, its first read: 1). The steps are counted from what the page has read.
        # None grows with the actions behind it (30).
        with django_assert_max_num_queries(8):
            page = client.get(page_of(review))
    assert body(page).count("Going well.") == 30
    assert "Kai still relies on Ms Marsh." in body(page)
