"""Reminders of reviews, actions and formulation reports, and their parts of the weekly digest, driven
through the calendar with time-machine: each is created on its day, sent once, and not at all once its
subject has moved on. None of them names the child."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.conf import LazySettings
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from core.reminders import reminder_sources
from formulation.models import ActionStatus, Attendance, MeetingPurpose, Recommendation
from formulation.selectors import current_invitations
from formulation.services import meeting_record, meeting_schedule
from reviews.models import Notification, Reminder, ReminderOutcome
from reviews.reminders import reminders_deliver, reminders_sweep
from reviews.services import action_progress_add, review_sign_off
from tests.conftest import Cast
from tests.factories import signed_off_report
from tests.reviews.helpers import at, emails_to, on, reminders_of, subjects, sweep_and_deliver_twice
from tests.reviews.review_helpers import (
    FIRST_DUE,
    REASON,
    REVIEW_DAY,
    SIGNED_ON,
    allocate_clinicians,
    formulated,
    invitees,
    record_every_step,
    reload,
    scheduled_review,
)

DUE_SOON, OVERDUE = "review_due_soon", "review_overdue"
ACTION_SOON, ACTION_LATE = "action_due_soon", "action_overdue"
REPORT = "report_not_signed_off"
DIGEST = "weekly_digest"
REVIEW_TEAM = ["alex", "jordan", "sam"]
SCHOOL_DUE = dt.date(2027, 2, 24)  # the teacher's action (review_helpers.formulated)


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def run_beat(first: dt.date, last: dt.date, hours: tuple[int, ...] = (7, 13)) -> None:
    """Beat's work, twice over, at each hour of each day."""
    for day in days(first, last):
        for hour in hours:
            with on(day, hour):
                sweeps, deliveries = sweep_and_deliver_twice()
            assert set(sweeps[1].values()) == {0}, f"the second sweep on {day} added reminders"
            assert deliveries[1].handled == 0, f"the second delivery on {day} sent something"


def sent(kind: str) -> list[tuple[str, dt.date, str]]:
    return [(reminder.recipient.username, reminder.due_on, reminder.outcome) for reminder in reminders_of(kind)]


def no_child_named() -> None:
    for message in mail.outbox:
        for word in ("Kai", "Brennan"):
            assert word not in message.subject and word not in message.body, message.subject
    for notification in Notification.objects.all():
        assert "Kai" not in notification.title + notification.body


def test_every_new_source_is_registered() -> None:
    kinds = {source.kind for source in reminder_sources()}
    assert {DUE_SOON, OVERDUE, ACTION_SOON, ACTION_LATE, REPORT} <= kinds


# Reviews.


def test_a_review_due_in_seven_days_reminds_the_case_holder_and_the_clinicians_once(cast: Cast) -> None:
    formulated(cast)
    week_before = FIRST_DUE - dt.timedelta(days=7)
    with on(week_before - dt.timedelta(days=1), 23):
        assert reminders_sweep()[DUE_SOON] == 0
    run_beat(week_before, FIRST_DUE)
    delivered = ReminderOutcome.DELIVERED
    assert sent(DUE_SOON) == [(person, week_before, delivered) for person in REVIEW_TEAM]
    for person in REVIEW_TEAM:
        assert subjects(emails_to(f"{person}@")).count("ECM: a review is due in 7 days") == 1
    notification = Notification.objects.get(recipient=cast.case_manager, reminder__kind=DUE_SOON)
    assert (
        notification.body == f"The next review of case {cast.case.pk} is due on 3 March 2027. It is not scheduled yet."
    )
    assert notification.link == f"/cases/{cast.case.pk}/reviews/"
    assert not Reminder.objects.filter(kind=DUE_SOON, recipient=cast.teacher).exists()  # not for the network
    no_child_named()


def test_an_overdue_review_reminds_once_and_says_whether_it_is_scheduled(cast: Cast) -> None:
    formulated(cast)
    run_beat(FIRST_DUE, FIRST_DUE + dt.timedelta(days=10), hours=(8,))
    assert sent(OVERDUE) == [
        (person, FIRST_DUE + dt.timedelta(days=1), ReminderOutcome.DELIVERED) for person in REVIEW_TEAM
    ]
    notification = Notification.objects.get(recipient=cast.senior_practitioner, reminder__kind=OVERDUE)
    assert notification.title == "A review is overdue"
    assert notification.body == f"The review of case {cast.case.pk} was due on 3 March 2027. It is not scheduled yet."
    no_child_named()


def test_a_review_scheduled_late_is_still_overdue(cast: Cast) -> None:
    formulated(cast)
    scheduled_review(cast, day=FIRST_DUE + dt.timedelta(days=7))
    with on(FIRST_DUE + dt.timedelta(days=1), 8):
        reminders_sweep()
        reminders_deliver()
    notification = Notification.objects.get(recipient=cast.case_manager, reminder__kind=OVERDUE)
    assert notification.body.endswith("It is scheduled for 10 March 2027.")


def test_a_review_met_by_its_due_date_is_not_overdue(cast: Cast) -> None:
    formulated(cast)
    scheduled_review(cast)
    run_beat(FIRST_DUE, FIRST_DUE + dt.timedelta(days=5), hours=(8,))
    assert sent(OVERDUE) == []
    # Its due-soon reminder said it was scheduled.
    with on(FIRST_DUE - dt.timedelta(days=7), 8):
        reminders_sweep()
        reminders_deliver()
    notification = Notification.objects.get(recipient=cast.psychologist, reminder__kind=DUE_SOON)
    assert notification.body.endswith("It is scheduled for 3 March 2027.")


def test_signing_off_a_review_moves_the_reminders_to_the_next_date(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(FIRST_DUE - dt.timedelta(days=7), 8):
        reminders_sweep()  # the due-soon reminders are written down, then delivery is held up
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)  # next review on 28 April
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
        reminders_deliver()
    assert sent(DUE_SOON) == [
        (person, FIRST_DUE - dt.timedelta(days=7), ReminderOutcome.NO_LONGER_DUE) for person in REVIEW_TEAM
    ]
    run_beat(dt.date(2027, 4, 20), dt.date(2027, 4, 21), hours=(8,))
    assert [(who, due_on) for who, due_on, outcome in sent(DUE_SOON) if outcome == ReminderOutcome.DELIVERED] == [
        (person, dt.date(2027, 4, 21)) for person in REVIEW_TEAM
    ]


def test_the_review_lead_time_is_a_setting(cast: Cast, settings: LazySettings) -> None:
    settings.ECM_REMINDERS = {**settings.ECM_REMINDERS, "REVIEW_DUE_SOON_DAYS": 14}
    formulated(cast)
    with on(FIRST_DUE - dt.timedelta(days=15), 8):
        assert reminders_sweep()[DUE_SOON] == 0
    with on(FIRST_DUE - dt.timedelta(days=14), 8):
        assert reminders_sweep()[DUE_SOON] == 3
        reminders_deliver()
    assert subjects(emails_to("sam@")) == ["ECM: a review is due in 14 days"]


# Actions.


def test_an_action_reminds_its_owner_a_week_before_and_the_day_after_it_is_due(cast: Cast) -> None:
    formulated(cast)
    run_beat(SCHOOL_DUE - dt.timedelta(days=8), SCHOOL_DUE + dt.timedelta(days=3))
    assert sent(ACTION_SOON) == [("helen", SCHOOL_DUE - dt.timedelta(days=7), ReminderOutcome.DELIVERED)]
    assert sent(ACTION_LATE) == [("helen", SCHOOL_DUE + dt.timedelta(days=1), ReminderOutcome.DELIVERED)]
    assert subjects(emails_to("helen@")) == [
        "ECM: an action of yours is due on 24 February 2027",
        "ECM: your ECM week from 22 February 2027",  # the action is in her weekly digest too
        "ECM: an action of yours is overdue",
    ]
    school = Notification.objects.filter(recipient=cast.teacher).order_by("pk").first()
    assert school is not None and school.link.startswith("/actions/")
    no_child_named()


def test_an_action_done_in_time_is_not_overdue_and_its_pending_reminder_is_dropped(cast: Cast) -> None:
    state = formulated(cast)
    with on(SCHOOL_DUE - dt.timedelta(days=7), 8):
        reminders_sweep()
    with on(SCHOOL_DUE - dt.timedelta(days=6), 8):
        state.school_action.case = cast.case
        action_progress_add(
            action=state.school_action, actor=cast.teacher, status=ActionStatus.DONE, note="Done every morning."
        )
        reminders_deliver()
    run_beat(SCHOOL_DUE, SCHOOL_DUE + dt.timedelta(days=3), hours=(8,))
    assert sent(ACTION_SOON) == [("helen", SCHOOL_DUE - dt.timedelta(days=7), ReminderOutcome.NO_LONGER_DUE)]
    assert sent(ACTION_LATE) == []
    assert emails_to("helen@") == []


# Formulation reports.

MEETING_DAY = dt.date(2027, 4, 7)  # a Wednesday
FIFTEENTH_WORKING_DAY = dt.date(2027, 4, 28)


def held_formulation_meeting(cast: Cast) -> None:
    allocate_clinicians(cast)
    with on(MEETING_DAY - dt.timedelta(days=6)):
        meeting = meeting_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            purpose=MeetingPurpose.FORMULATION,
            starts_at=at(MEETING_DAY, 10),
            ends_at=at(MEETING_DAY, 12),
            location="Bristol YJS",
            invitees=invitees(cast),
        )
    with on(MEETING_DAY, 13):
        meeting_record(
            meeting=meeting,
            actor=cast.senior_practitioner,
            attendance={invitation.pk: Attendance.ATTENDED for invitation in current_invitations(meeting)},
            notes="",
        )


def test_a_report_not_signed_off_fifteen_working_days_after_its_meeting_reminds_the_psychologist_once(
    cast: Cast,
) -> None:
    held_formulation_meeting(cast)
    with on(FIFTEENTH_WORKING_DAY - dt.timedelta(days=1), 23):
        assert reminders_sweep()[REPORT] == 0
    run_beat(FIFTEENTH_WORKING_DAY, FIFTEENTH_WORKING_DAY + dt.timedelta(days=6))
    assert sent(REPORT) == [("alex", FIFTEENTH_WORKING_DAY, ReminderOutcome.DELIVERED)]
    [message] = emails_to("alex@")
    assert message.subject == "ECM: a formulation report is not signed off"
    assert (
        f"The formulation meeting of case {cast.case.pk} was held on 7 April 2027, 15 working days ago, "
        "and its report is not signed off yet." in message.body
    )
    no_child_named()


def test_no_reminder_once_the_report_is_signed_off(cast: Cast) -> None:
    held_formulation_meeting(cast)
    with on(dt.date(2027, 4, 20)):
        signed_off_report(cast, signed_off_at=at(dt.date(2027, 4, 20), 12), reason_for_referral=REASON)
    run_beat(FIFTEENTH_WORKING_DAY, FIFTEENTH_WORKING_DAY + dt.timedelta(days=2), hours=(8,))
    assert sent(REPORT) == []


def test_a_report_signed_off_before_an_earlier_meeting_does_not_count(cast: Cast) -> None:
    with on(SIGNED_ON):  # version 1, signed off before this re-formulation meeting
        signed_off_report(cast, signed_off_at=at(SIGNED_ON, 12), reason_for_referral=REASON)
    held_formulation_meeting(cast)
    with on(FIFTEENTH_WORKING_DAY, 8):
        assert reminders_sweep()[REPORT] == 1


# The weekly digest.

MONDAY = dt.date(2027, 3, 1)


def test_the_digest_lists_the_meetings_of_the_week_and_the_actions_due(cast: Cast) -> None:
    formulated(cast)
    scheduled_review(cast)  # Wednesday 3 March at 10:00; the teacher, case manager and psychologist invited
    run_beat(MONDAY, MONDAY + dt.timedelta(days=6), hours=(7,))
    assert sorted(who for who, _, _ in sent(DIGEST)) == ["alex", "helen", "jordan", "sam"]
    assert {due_on for _, due_on, _ in sent(DIGEST)} == {MONDAY}
    teacher = [message for message in emails_to("helen@") if "week" in str(message.subject)]
    assert len(teacher) == 1
    meeting_line = f"Wednesday 3 March at 10:00: review meeting, case {cast.case.pk}."
    assert meeting_line in teacher[0].body
    assert "1 of your actions is due by Sunday 7 March, and it is overdue." in teacher[0].body
    chair = next(message for message in emails_to("jordan@") if "week" in str(message.subject))
    assert meeting_line in chair.body
    assert "actions" not in chair.body.split("Sign in")[0]
    no_child_named()


def test_an_owner_with_actions_due_later_gets_no_digest_for_them(cast: Cast) -> None:
    formulated(cast)
    action_rows = Reminder.objects.filter(kind=DIGEST)
    with on(dt.date(2027, 2, 8), 7):
        reminders_sweep()
    # The teacher's action is due on 24 February: not in the week of 8 February.
    assert not action_rows.filter(recipient=cast.teacher).exists()
    with on(dt.date(2027, 2, 22), 7):
        reminders_sweep()
        reminders_deliver()
    digest = Notification.objects.get(recipient=cast.teacher, reminder__kind=DIGEST)
    assert digest.body == "1 of your actions is due by Sunday 28 February."
    assert digest.link == "/actions/"


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_sweeps_open_actions_and_cleans_up() -> None:
    output = StringIO()
    call_command("benchmark_reminders", count=1200, items="actions", runs=1, deliver=10, stdout=output)
    text = output.getvalue()
    assert "Made 1,200 open actions owned by 50 people, half of them overdue" in text
    first_sweep = re.search(r"First sweep \(writes ([\d,]+) reminders\)", text)
    assert first_sweep is not None, text
    # Half overdue (one reminder each), one in fifteen due within the week, and on the digest weekday
    # the 50 owners' digests.
    assert 650 <= int(first_sweep.group(1).replace(",", "")) <= 750
    assert "Delivered 10 (notification and e-mail each)" in text
    assert not Recommendation.objects.exists()
    assert not Reminder.objects.exists()
    assert not User.objects.filter(username__startswith="bench-").exists()
