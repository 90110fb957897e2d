"""Delivery: preferences honoured, failures retried with a growing wait, and once only, even with
two workers at the same time."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.conf import LazySettings
from django.core import mail
from django.db import connection, transaction

from reviews.models import Notification, Reminder, ReminderOutcome
from reviews.notifications import email_preference_set
from reviews.reminders import reminder_deliver_next, reminders_deliver, reminders_sweep, retry_wait
from tests.conftest import Cast
from tests.reviews.helpers import at, emails_to, on, referral_submitted_on, reminders_of, subjects

WAITING = "referral_awaiting_triage"
DIGEST = "weekly_digest"
SUBMITTED_ON = dt.date(2026, 3, 4)
MONDAY = dt.date(2026, 3, 23)  # a digest day, with the referral long overdue
FAILING = "tests.reviews.helpers.FailingEmailBackend"


@pytest.fixture
def overdue(cast: Cast) -> Cast:
    """A Bristol referral waiting since 4 March, and the sweep of Monday 23 March done."""
    referral_submitted_on(cast, SUBMITTED_ON)
    with on(MONDAY, 8):
        reminders_sweep()
    return cast


# Preferences.


def test_without_reminder_emails_the_notification_still_comes(overdue: Cast) -> None:
    email_preference_set(person=overdue.psychologist, send_email=False, weekly_digest=True, actor=overdue.psychologist)
    with on(MONDAY, 8):
        reminders_deliver()
    assert subjects(emails_to("alex@")) == ["ECM: your ECM week from 23 March 2026"]
    assert Notification.objects.filter(recipient=overdue.psychologist).count() == 2
    assert len(emails_to("jordan@")) == 2  # Jordan kept the defaults
    reminder = Reminder.objects.get(kind=WAITING, recipient=overdue.psychologist)
    assert reminder.outcome == ReminderOutcome.DELIVERED and reminder.emailed_at is None


def test_without_the_digest_email_reminders_are_still_emailed(overdue: Cast) -> None:
    email_preference_set(person=overdue.psychologist, send_email=True, weekly_digest=False, actor=overdue.psychologist)
    with on(MONDAY, 8):
        reminders_deliver()
    assert subjects(emails_to("alex@")) == ["ECM: a referral has waited 13 working days for triage"]
    assert Notification.objects.filter(recipient=overdue.psychologist, title__startswith="Your ECM week").exists()


def test_an_inactive_account_gets_nothing(overdue: Cast) -> None:
    overdue.psychologist.is_active = False
    overdue.psychologist.save(update_fields=["is_active"])
    with on(MONDAY, 8):
        reminders_deliver()
    assert emails_to("alex@") == []
    assert {reminder.outcome for reminder in reminders_of(WAITING, recipient=overdue.psychologist)} == {
        ReminderOutcome.RECIPIENT_INACTIVE
    }


# Failures.


def test_a_failed_email_is_retried_later_with_a_growing_wait_and_then_sent_once(
    overdue: Cast, settings: LazySettings
) -> None:
    settings.EMAIL_BACKEND = FAILING
    with on(MONDAY, 8):
        report = reminders_deliver()
    assert report.failed == 4 and report.handled == 0
    reminder = Reminder.objects.get(kind=WAITING, recipient=overdue.psychologist)
    assert reminder.sent_at is None
    assert reminder.attempts == 1
    assert reminder.next_attempt_at == at(MONDAY, 8, 1)
    assert "SMTPException: 421" in reminder.last_error
    assert not Notification.objects.exists()  # undone with the e-mail: they go together

    with on(MONDAY, 8):  # the next beat, a moment later: not yet
        assert reminders_deliver().failed == 0
    with on(MONDAY, 8, 1):
        reminders_deliver()
    reminder.refresh_from_db()
    assert (reminder.attempts, reminder.next_attempt_at) == (2, at(MONDAY, 8, 3))  # the wait doubles

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with on(MONDAY, 8, 3):
        assert reminders_deliver().handled == 4
    with on(MONDAY, 9, 0):
        assert reminders_deliver().handled == 0
    reminder.refresh_from_db()
    assert reminder.outcome == ReminderOutcome.DELIVERED
    assert reminder.attempts == 2  # the failures stay on record
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4


def test_after_the_last_attempt_the_notification_comes_without_the_email(overdue: Cast, settings: LazySettings) -> None:
    settings.EMAIL_BACKEND = FAILING
    settings.ECM_REMINDERS = {**settings.ECM_REMINDERS, "MAX_ATTEMPTS": 3}
    moment = at(MONDAY, 8)
    for _ in range(3):
        reminders_deliver(now=moment)
        moment += dt.timedelta(hours=2)
    reminder = Reminder.objects.get(kind=WAITING, recipient=overdue.psychologist)
    assert reminder.attempts == 3
    assert reminder.outcome == ReminderOutcome.DELIVERED
    assert reminder.emailed_at is None
    assert "SMTPException" in reminder.last_error
    assert reminder.notification.title == "A referral has waited 13 working days for triage"
    assert reminders_deliver(now=moment + dt.timedelta(days=1)).handled == 0


def test_the_wait_between_attempts_doubles_up_to_an_hour() -> None:
    assert [retry_wait(attempt).total_seconds() for attempt in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_a_source_that_fails_is_retried_and_then_given_up(overdue: Cast, settings: LazySettings) -> None:
    settings.ECM_REMINDERS = {**settings.ECM_REMINDERS, "MAX_ATTEMPTS": 2}
    Reminder.objects.filter(kind=WAITING).update(kind="a_source_since_removed")
    moment = at(MONDAY, 8)
    for _ in range(2):
        reminders_deliver(now=moment)
        moment += dt.timedelta(hours=1)
    assert {reminder.outcome for reminder in reminders_of("a_source_since_removed")} == {ReminderOutcome.GAVE_UP}
    assert "No reminder source is registered" in reminders_of("a_source_since_removed")[0].last_error


# Once only.


@pytest.mark.django_db(transaction=True)
def test_a_reminder_locked_by_another_worker_is_skipped_not_waited_for(overdue: Cast) -> None:
    """FOR UPDATE SKIP LOCKED: while one worker holds a reminder, another takes the next one."""
    first = Reminder.objects.order_by("next_attempt_at", "pk").first()
    assert first is not None
    with transaction.atomic():
        Reminder.objects.select_for_update().filter(pk=first.pk).get()
        held = threading.Event()
        done: list[Any] = []

        def other_worker() -> None:
            try:
                done.append(reminder_deliver_next(now=at(MONDAY, 8)))
            finally:
                held.set()
                connection.close()

        threading.Thread(target=other_worker).start()
        assert held.wait(timeout=10), "the other worker waited for the lock instead of skipping it"
    assert done[0] is not None and done[0].pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_deliver_each_reminder_once(cast: Cast) -> None:
    for _ in range(15):
        referral_submitted_on(cast, SUBMITTED_ON)
    with on(MONDAY, 8):
        created = reminders_sweep()
    assert {kind: count for kind, count in created.items() if count} == {WAITING: 30, DIGEST: 2}
    start = threading.Barrier(2)
    handled: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            handled.append(reminders_deliver(now=at(MONDAY, 8)).handled)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)

    assert sum(handled) == 32
    assert Notification.objects.count() == 32
    assert len(mail.outbox) == 32
    assert len({(message.to[0], message.body) for message in mail.outbox}) == 32
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
