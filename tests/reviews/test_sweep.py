"""The sweep, driven through the calendar: each reminder is created once, on its day, and sent once."""

from __future__ import annotations

import datetime as dt

from django.conf import LazySettings
from django.core import mail

from accounts.models import Membership, Role
from accounts.services import membership_end
from referrals.models import ReferralStatus, TriageDecision
from referrals.services import referral_triage
from reviews.models import Notification, Reminder, ReminderOutcome
from reviews.reminders import reminders_deliver, reminders_sweep
from tests.conftest import Cast
from tests.factories import agency, person
from tests.factories import child as make_child
from tests.referrals.helpers import draft_referral, submitted_referral
from tests.reviews.helpers import (
    emails_to,
    on,
    referral_submitted_on,
    reminders_of,
    subjects,
    sweep_and_deliver_twice,
)

WAITING = "referral_awaiting_triage"
DIGEST = "weekly_digest"
SUBMITTED_ON = dt.date(2026, 3, 4)  # a Wednesday
ELEVENTH_WORKING_DAY = dt.date(2026, 3, 19)  # a Thursday
REMINDER = "ECM: a referral has waited 11 working days for triage"


def digest_subject(monday: dt.date) -> str:
    return f"ECM: your ECM week from {monday.day} March 2026"


def test_through_three_weeks_each_reminder_is_created_once_and_sent_once(cast: Cast) -> None:
    """Every day from the submission to three weeks later, beat's work runs twice over: the
    covering clinicians hear once on the 11th working day, and get a digest each Monday."""
    referral_submitted_on(cast, SUBMITTED_ON)
    sent_on: dict[dt.date, list[tuple[str, str]]] = {}
    for offset in range(1, 24):  # Thursday 5 March to Friday 27 March
        day = SUBMITTED_ON + dt.timedelta(days=offset)
        before = len(mail.outbox)
        with on(day, 8):
            sweeps, deliveries = sweep_and_deliver_twice()
        assert set(sweeps[1].values()) == {0}, f"the second sweep on {day} added reminders"
        assert deliveries[1].handled == 0, f"the second delivery on {day} sent something"
        sent_on[day] = sorted((message.to[0].split("@")[0], str(message.subject)) for message in mail.outbox[before:])

    mondays = [dt.date(2026, 3, 9), dt.date(2026, 3, 16), dt.date(2026, 3, 23)]
    expected = {monday: [("alex", digest_subject(monday)), ("jordan", digest_subject(monday))] for monday in mondays}
    expected[ELEVENTH_WORKING_DAY] = [("alex", REMINDER), ("jordan", REMINDER)]
    assert {day: sent for day, sent in sent_on.items() if sent} == expected

    reminders = list(Reminder.objects.all())
    assert len(reminders) == 8
    assert all(reminder.sent_at and reminder.outcome == ReminderOutcome.DELIVERED for reminder in reminders)
    assert Notification.objects.count() == 8
    assert {reminder.due_on for reminder in reminders_of(WAITING)} == {ELEVENTH_WORKING_DAY}


def test_ten_working_days_is_not_yet_too_long(cast: Cast) -> None:
    referral_submitted_on(cast, SUBMITTED_ON)
    with on(dt.date(2026, 3, 18), 23):  # the 10th working day, late in the evening
        assert reminders_sweep()[WAITING] == 0
    with on(dt.date(2026, 3, 19), 0):  # just past midnight of the 11th
        assert reminders_sweep()[WAITING] == 2


def test_a_weekend_submission_counts_from_the_monday(cast: Cast) -> None:
    referral_submitted_on(cast, dt.date(2026, 3, 7))  # a Saturday
    with on(dt.date(2026, 3, 20)):  # Friday: 10 working days since
        assert reminders_sweep()[WAITING] == 0
    with on(dt.date(2026, 3, 23)):  # Monday: the 11th
        assert reminders_sweep()[WAITING] == 2


def test_a_sweep_that_runs_late_still_dates_the_reminder_on_its_due_day(cast: Cast) -> None:
    """No sweep ran for a week (beat or Redis down): the reminder is not lost, not doubled, and
    says how long the referral has really waited."""
    referral_submitted_on(cast, SUBMITTED_ON)
    with on(dt.date(2026, 3, 25)):
        reminders_sweep()
        reminders_deliver()
    reminders = reminders_of(WAITING)
    assert [(reminder.recipient.username, reminder.due_on) for reminder in reminders] == [
        ("alex", ELEVENTH_WORKING_DAY),
        ("jordan", ELEVENTH_WORKING_DAY),
    ]
    assert subjects(emails_to("alex@")) == ["ECM: a referral has waited 15 working days for triage"]
    with on(dt.date(2026, 3, 26)):
        assert reminders_sweep()[WAITING] == 0


def test_the_wait_is_a_setting(cast: Cast, settings: LazySettings) -> None:
    settings.ECM_REMINDERS = {**settings.ECM_REMINDERS, "TRIAGE_WAIT_WORKING_DAYS": 3}
    referral_submitted_on(cast, SUBMITTED_ON)
    with on(dt.date(2026, 3, 9)):  # Monday: 3 working days
        assert reminders_sweep()[WAITING] == 0
    with on(dt.date(2026, 3, 10)):  # Tuesday: the 4th
        assert reminders_sweep()[WAITING] == 2
        reminders_deliver()
    assert subjects(emails_to("jordan@")) == [
        "ECM: your ECM week from 9 March 2026",
        "ECM: a referral has waited 4 working days for triage",
    ]


def test_only_referrals_still_waiting_for_triage_are_reminded(cast: Cast) -> None:
    waiting = referral_submitted_on(cast, SUBMITTED_ON)
    decided = referral_submitted_on(cast, SUBMITTED_ON)
    with on(dt.date(2026, 3, 6)):
        referral_triage(
            referral=decided,
            actor=cast.psychologist,
            decision=TriageDecision.NOT_ACCEPTED,
            reason="Needs are met by the current plan.",
            signposting="Speak to the YJS health worker.",
        )
        draft_referral(cast)  # a draft is the referring service's own: no one is reminded of it
    with on(dt.date(2026, 3, 30)):
        reminders_sweep()
    assert {reminder.subject_id for reminder in reminders_of(WAITING)} == {waiting.pk}


def test_the_reminder_goes_to_each_active_clinician_covering_the_referring_service(cast: Cast) -> None:
    """Not to clinicians of other services, nor to people whose account or role has ended."""
    person("robin", "Robin", "Hale", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.banes,))
    left = person("morgan", "Morgan", "Ellis", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.bristol,))
    left.is_active = False
    left.save(update_fields=["is_active"])
    moved_on = person(
        "casey", "Casey", "Lund", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(cast.bristol,)
    )
    membership_end(membership=Membership.objects.get(user=moved_on), actor=cast.administrator)
    other_team = agency("Severn ECM Team", "ecm")
    closed_team = person("jo", "Jo", "Pike", agency=other_team, role=Role.PSYCHOLOGIST, covers=(cast.bristol,))
    other_team.is_active = False
    other_team.save(update_fields=["is_active"])

    bristol = referral_submitted_on(cast, SUBMITTED_ON)
    banes = referral_submitted_on(cast, SUBMITTED_ON, referrer=cast.banes_case_manager, yjs=cast.banes)
    with on(dt.date(2026, 3, 20)):
        reminders_sweep()

    recipients = {(reminder.recipient.username, reminder.subject_id) for reminder in reminders_of(WAITING)}
    assert recipients == {("alex", bristol.pk), ("jordan", bristol.pk), ("robin", banes.pk)}
    assert not Reminder.objects.filter(recipient__in=[left, moved_on, closed_team]).exists()


def test_a_referral_triaged_before_delivery_is_not_sent(cast: Cast) -> None:
    referral = referral_submitted_on(cast, SUBMITTED_ON)
    with on(ELEVENTH_WORKING_DAY, 9):
        reminders_sweep()
    with on(ELEVENTH_WORKING_DAY, 10):
        referral_triage(
            referral=referral,
            actor=cast.senior_practitioner,
            decision=TriageDecision.CONSULTATION,
        )
        mail.outbox.clear()  # the referrer's decision e-mail
        report = reminders_deliver()
    assert report.by_outcome == {ReminderOutcome.NO_LONGER_DUE: 2}
    assert mail.outbox == []
    assert not Notification.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED_CONSULTATION


def test_a_clinician_who_stops_covering_before_delivery_is_not_told(cast: Cast) -> None:
    referral_submitted_on(cast, SUBMITTED_ON)
    with on(ELEVENTH_WORKING_DAY):
        reminders_sweep()
        cast.psychologist.coverage.all().delete()
        reminders_deliver()
    assert [reminder.outcome for reminder in reminders_of(WAITING)] == [
        ReminderOutcome.NO_LONGER_DUE,  # alex
        ReminderOutcome.DELIVERED,  # jordan
    ]
    assert subjects(mail.outbox) == [REMINDER]


def test_the_email_names_no_child_and_links_to_the_referral(cast: Cast) -> None:
    referral = referral_submitted_on(cast, SUBMITTED_ON)
    with on(ELEVENTH_WORKING_DAY):
        reminders_sweep()
        reminders_deliver()
    message = emails_to("alex@")[0]
    child = referral.child
    for text in (message.subject, message.body):
        assert child.given_name not in text
        assert child.family_name not in text
        assert child.reference not in text
    assert f"http://127.0.0.1:8000/referrals/{referral.pk}/" in message.body
    assert "http://127.0.0.1:8000/notifications/preferences/" in message.body
    assert "submitted on 4 March 2026" in message.body
    notification = Notification.objects.get(recipient=cast.psychologist)
    assert notification.title == "A referral has waited 11 working days for triage"
    assert notification.link == f"/referrals/{referral.pk}/"
    assert child.given_name not in notification.body


def test_the_day_is_the_local_day_in_london(cast: Cast) -> None:
    """Submitted half an hour after midnight in British Summer Time (still the day before in UTC),
    the referral counts from the London day."""
    with on(dt.date(2026, 6, 4), 0, 30):  # a Thursday; 23:30 on Wednesday in UTC
        submitted_referral(cast, child=make_child())
    with on(dt.date(2026, 6, 18)):  # the 11th working day after Wednesday 3 June
        assert reminders_sweep()[WAITING] == 0
    with on(dt.date(2026, 6, 19)):  # the 11th after Thursday 4 June
        assert reminders_sweep()[WAITING] == 2
    assert {reminder.due_on for reminder in reminders_of(WAITING)} == {dt.date(2026, 6, 19)}
