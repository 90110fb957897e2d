"""Home is each role's workboard: what needs doing, soonest first, and where to do it (issue 16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessEvent, User
from cases.services.contact_frequency import case_contact_frequency_set
from config.workboard import WorkGroup
from formulation.models import FormulationReport, Recommendation, ReportStatus
from referrals.models import Urgency
from reviews.services import review_schedule
from tests.conftest import Cast
from tests.factories import (
    child,
    formulation_meeting,
    log_contact,
    make_case,
    recommendation,
    signed_off_report,
)
from tests.formulation.helpers import teacher_invitee
from tests.referrals.helpers import draft_referral, submitted_referral

LONDON = ZoneInfo("Europe/London")


def later(days: int) -> dt.datetime:
    """Noon, `days` days from today (London)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)


@contextmanager
def days_on(days: int) -> Iterator[None]:
    with time_machine.travel(later(days), tick=False):
        yield


def board(client: Client, user: User) -> tuple[str, dict[str, WorkGroup]]:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    workboard = response.context["workboard"]
    groups = {group.key: group for group in workboard.groups} if workboard else {}
    return response.content.decode(), groups


def names(group: WorkGroup) -> list[str]:
    return [item.child_name for item in group.items]


# Case managers.


def test_contacts_are_due_against_each_cases_frequency_most_overdue_first(cast: Cast, client: Client) -> None:
    lena = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Lena"))
    log_contact(lena, cast.case_manager, days_ago=2)
    case_contact_frequency_set(case=lena, days=7, actor=cast.case_manager)  # due in 5 days
    seen = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Ravi"))
    log_contact(seen, cast.case_manager, days_ago=0, restricted=True)  # the holder's restricted contact counts
    case_contact_frequency_set(case=seen, days=30, actor=cast.case_manager)  # due in 30 days: not yet on the board
    with days_on(20):  # Kai: opened today, never contacted, every 14 days: 6 days overdue; Lena 15 days overdue
        body, groups = board(client, cast.case_manager)
    contacts = groups["contacts"]
    assert names(contacts) == ["Lena Testfamily", "Kai Brennan"]
    assert [item.days_overdue for item in contacts.items] == [15, 6]
    assert "15 days overdue" in body and "6 days overdue" in body
    assert f"/cases/{lena.pk}/contacts/add/" in body
    assert "Every 7 days; last contact" in body and "no contact logged yet" in body


def test_a_contact_due_within_a_week_is_shown_but_not_overdue(cast: Cast, client: Client) -> None:
    with days_on(10):  # Kai's first contact is due in 4 days
        body, groups = board(client, cast.case_manager)
    (item,) = groups["contacts"].items
    assert item.due_words == "Due in 4 days" and not item.is_overdue
    assert "Nothing is overdue." in body


def test_reviews_and_actions_due_or_overdue_and_drafts(cast: Cast, client: Client) -> None:
    today = timezone.localdate()
    # Signed off 60 days ago: the first review was due 56 days after, so it is 4 days overdue.
    report = signed_off_report(cast, signed_off_at=later(-60))
    recommendation(cast, report, "Weekly football", owner=cast.case_manager, due_on=today - dt.timedelta(days=3))
    recommendation(cast, report, "A school visit", owner=cast.case_manager, due_on=today + dt.timedelta(days=2))
    recommendation(cast, report, "Next term", owner=cast.case_manager, due_on=today + dt.timedelta(days=60))
    recommendation(cast, report, "The teacher's", owner=cast.teacher, due_on=today - dt.timedelta(days=9))
    draft = draft_referral(cast, child=child(given_name="Mo"))
    log_contact(cast.case, cast.case_manager, days_ago=0)
    body, groups = board(client, cast.case_manager)
    (review,) = groups["reviews"].items
    assert review.child_name == "Kai Brennan" and review.days_overdue == 4 and review.detail == "Not scheduled yet"
    assert [(item.detail, item.days_overdue) for item in groups["actions"].items] == [
        ("Weekly football (not started)", 3),
        ("A school visit (not started)", 0),
    ]
    assert [item.referral_id for item in groups["drafts"].items] == [draft.pk]
    assert draft.get_absolute_url() in body and "Mo Testfamily" in body
    assert groups["contacts"].items == []
    assert "No contact is due or overdue." in body
    assert 'data-testid="overdue-count">2 overdue<' in body


def test_a_case_manager_with_nothing_to_do_sees_empty_states(cast: Cast, client: Client) -> None:
    body, groups = board(client, cast.colleague)
    assert all(not group.items for group in groups.values())
    for empty in (
        "Nothing is overdue.",
        "No contact is due or overdue.",
        "No review is due or overdue.",
        "None of your actions is due or overdue.",
        "You have no unfinished drafts.",
    ):
        assert empty in body


def test_the_workboard_only_lists_the_persons_own_cases(cast: Cast, client: Client) -> None:
    make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    with days_on(30):
        _, groups = board(client, cast.case_manager)
    assert names(groups["contacts"]) == ["Kai Brennan"]


# Clinicians.


def test_triage_waits_urgent_first_then_the_longest_waiting(cast: Cast, client: Client) -> None:
    with days_on(-6):
        oldest = submitted_referral(cast, child=child(given_name="Oldest"))
    with days_on(-3):
        urgent = submitted_referral(cast, child=child(given_name="Urgent"), urgency=Urgency.URGENT)
    with days_on(-5):
        middle = submitted_referral(cast, child=child(given_name="Middle"))
    for clinician in (cast.psychologist, cast.senior_practitioner):
        body, groups = board(client, clinician)
        triage = groups["triage"]
        assert [item.referral_id for item in triage.items] == [urgent.pk, oldest.pk, middle.pk]
        assert triage.items[0].urgent and not triage.items[1].urgent
    assert urgent.get_absolute_url() in body and "Urgent" in body


def test_reports_wait_for_the_sign_off_of_a_clinician_who_did_not_write_them(cast: Cast, client: Client) -> None:
    FormulationReport.objects.create(
        case=cast.case,
        version=1,
        author=cast.psychologist,
        updated_by=cast.psychologist,
        status=ReportStatus.IN_REVIEW,
        submitted_for_review_at=later(-2),
    )
    body, groups = board(client, cast.senior_practitioner)
    (report,) = groups["reports"].items
    assert report.child_name == "Kai Brennan" and report.due_on == timezone.localdate() - dt.timedelta(days=2)
    assert "Version 1, in review since" in body
    body, groups = board(client, cast.psychologist)  # the author
    assert groups["reports"].items == [] and "No report waits for you." in body


def test_meetings_this_week_only(cast: Cast, client: Client) -> None:
    soon = formulation_meeting(cast, day=timezone.localdate() + dt.timedelta(days=2))
    formulation_meeting(cast, day=timezone.localdate() + dt.timedelta(days=12))
    body, groups = board(client, cast.senior_practitioner)
    assert [item.href for item in groups["meetings"].items] == [soon.get_absolute_url()]
    assert groups["meetings"].items[0].due_words == "Due in 2 days"


def test_clinicians_empty_states(cast: Cast, client: Client) -> None:
    body, groups = board(client, cast.psychologist)
    assert set(groups) == {"triage", "reports", "meetings"}
    for empty in (
        "Nothing is overdue.",
        "No referral is waiting for triage.",
        "No report waits for you.",
        "You have no meetings in the next seven days.",
    ):
        assert empty in body


# Senior practitioners.


def test_senior_practitioners_schedule_reviews_due_within_four_weeks(cast: Cast, client: Client) -> None:
    signed_off_report(cast, signed_off_at=later(-40))  # the review is due in 16 days
    body, groups = board(client, cast.senior_practitioner)
    assert set(groups) >= {"schedule", "sign_off"}
    (item,) = groups["schedule"].items
    assert item.due_words == "Due in 16 days" and item.href == f"/cases/{cast.case.pk}/reviews/new/"
    assert "No review waits for your sign-off." in body
    _, groups = board(client, cast.psychologist)
    assert "schedule" not in groups


def test_a_review_whose_meeting_began_waits_for_its_chairs_sign_off(cast: Cast, client: Client) -> None:
    signed_off_report(cast, signed_off_at=later(-50))
    with days_on(-1):
        review = review_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            starts_at=later(1),
            ends_at=later(1) + dt.timedelta(hours=1),
            location="Meeting room 2, Fernbrook Academy",
            invitees=[teacher_invitee(cast)],
        )
    # Two hours after the meeting began (asked at real time, the test failed every morning before noon).
    with time_machine.travel(later(0) + dt.timedelta(hours=2), tick=False):
        body, groups = board(client, cast.senior_practitioner)
        assert groups["schedule"].items == []  # scheduled already
        (item,) = groups["sign_off"].items
        assert item.href == review.get_absolute_url() and item.due_words == "Due today"
        _, groups = board(client, cast.case_manager)
        assert groups["reviews"].items[0].detail.startswith("Scheduled for")


# Other roles keep their home page.


@pytest.mark.parametrize("who", ["teacher", "commissioner", "administrator", "agency_administrator"])
def test_other_roles_have_no_workboard(cast: Cast, client: Client, who: str) -> None:
    client.force_login(getattr(cast, who))
    response = client.get("/")
    assert response.context["workboard"] is None and "What is due" not in response.content.decode()


# The home page's read audit names every case the workboard shows.


def test_the_home_event_names_every_case_and_referral_on_the_workboard(cast: Cast, client: Client) -> None:
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(given_name="Zed"))
    waiting = submitted_referral(cast, child=child(given_name="Wren"))
    report = signed_off_report(cast, signed_off_at=later(-10))
    # An action the case manager owns on a case they do not hold: only the workboard names it.
    recommendation(cast, report, "Walk to school", owner=cast.case_manager, due_on=timezone.localdate())
    Recommendation.objects.filter(text="Walk to school").update(case=other)
    for user in (cast.case_manager, cast.psychologist):
        before = AccessEvent.objects.count()
        body, groups = board(client, user)
        event = AccessEvent.objects.order_by("-pk").first()
        assert AccessEvent.objects.count() == before + 1 and event is not None
        shown_cases = {item.case_id for group in groups.values() for item in group.items if item.case_id}
        shown_referrals = {item.referral_id for group in groups.values() for item in group.items if item.referral_id}
        assert shown_cases <= set(event.case_ids) and shown_referrals <= set(event.referral_ids)
    assert other.pk in set(AccessEvent.objects.filter(user=cast.case_manager).order_by("-pk")[0].case_ids)
    assert event is not None and waiting.pk in set(event.referral_ids)


# The query count does not grow with the rows.


def _queries(client: Client, user: User) -> int:
    client.force_login(user)
    client.get("/")  # warm the person's facts and the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def _more_work(cast: Cast, count: int) -> None:
    today = timezone.localdate()
    report = FormulationReport.objects.filter(case=cast.case).first() or signed_off_report(
        cast, signed_off_at=later(-60)
    )
    for number in range(count):
        case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
        log_contact(case, cast.case_manager, days_ago=20 + number)
        recommendation(cast, report, f"Action {number}", owner=cast.case_manager, due_on=today)
        draft_referral(cast, child=child())
        submitted_referral(cast, child=child())
        formulation_meeting(cast, day=today + dt.timedelta(days=1 + number % 5))


def test_the_query_count_stays_the_same_as_the_rows_grow(cast: Cast, client: Client) -> None:
    counts: dict[str, list[int]] = {"case_manager": [], "psychologist": [], "senior_practitioner": []}
    for added in (1, 6):
        _more_work(cast, added)
        for who, found in counts.items():
            found.append(_queries(client, getattr(cast, who)))
    for who, (fewer, more) in counts.items():
        assert fewer == more, (who, fewer, more)
    # 10 for a case manager or a psychologist, 12 for a senior practitioner (their two review groups).
    assert max(more for _, more in counts.values()) <= 12
