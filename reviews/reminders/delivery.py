"""Delivery: each unsent reminder becomes a notification and (if wanted) an e-mail, exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.reminders import Message, ReminderSource, reminder_setting
from reviews.models import EmailPreference, Notification, Reminder, ReminderOutcome
from reviews.reminders.sweep import source_for

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    handled: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    failed: int = 0


def reminders_deliver(
    *,
    now: dt.datetime | None = None,
    seconds: float | None = None,
    limit: int | None = None,
    sources: Sequence[ReminderSource] | None = None,
) -> DeliveryReport:
    """Deliver unsent reminders until none is left, or `seconds` have passed or `limit` were
    tried: the next run goes on from there."""
    budget = reminder_setting("DELIVERY_SECONDS") if seconds is None else seconds
    deadline = time.monotonic() + budget
    report = DeliveryReport()
    while time.monotonic() < deadline and (limit is None or report.handled + report.failed < limit):
        reminder = reminder_deliver_next(now=now or timezone.now(), sources=sources)
        if reminder is None:
            break
        if reminder.sent_at is None:
            report.failed += 1
        else:
            report.handled += 1
            outcome = str(reminder.outcome)
            report.by_outcome[outcome] = report.by_outcome.get(outcome, 0) + 1
    return report


def reminder_deliver_next(*, now: dt.datetime, sources: Sequence[ReminderSource] | None = None) -> Reminder | None:
    """Deliver the next unsent reminder nobody else is delivering; None when there is none."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if reminder is None:
            return None
        try:
            with transaction.atomic():  # a savepoint: a failure undoes the notification too
                _deliver(reminder, now=now, sources=sources, email=True)
        except Exception as error:  # any failure: keep the reminder, retry it later
            _after_failure(reminder, error, now=now, sources=sources)
        return reminder


def _deliver(reminder: Reminder, *, now: dt.datetime, sources: Sequence[ReminderSource] | None, email: bool) -> None:
    recipient = reminder.recipient
    if not recipient.is_active:
        _finish(reminder, now=now, outcome=ReminderOutcome.RECIPIENT_INACTIVE)
        return
    source = source_for(reminder.kind, sources)
    message = source.message(reminder, timezone.localdate(now))
    if message is None:
        _finish(reminder, now=now, outcome=ReminderOutcome.NO_LONGER_DUE)
        return
    Notification.objects.create(
        recipient=recipient,
        reminder=reminder,
        title=message.title,
        body=message.body,
        link=message.link,
        created_at=now,
    )
    if email and email_wanted(recipient, source.preference):
        _send_email(recipient, message)
        reminder.emailed_at = now
    _finish(reminder, now=now, outcome=ReminderOutcome.DELIVERED)


def _finish(reminder: Reminder, *, now: dt.datetime, outcome: str) -> None:
    reminder.sent_at = now
    reminder.outcome = outcome
    reminder.save(update_fields=["sent_at", "outcome", "emailed_at", "attempts", "last_error", "next_attempt_at"])


def _after_failure(
    reminder: Reminder, error: Exception, *, now: dt.datetime, sources: Sequence[ReminderSource] | None
) -> None:
    reminder.emailed_at = None
    reminder.attempts += 1
    reminder.last_error = f"{type(error).__name__}: {error}"[:2000]
    logger.warning("Reminder %s failed (attempt %s): %s", reminder.pk, reminder.attempts, reminder.last_error)
    if reminder.attempts >= reminder_setting("MAX_ATTEMPTS"):
        # Last resort: the in-app notification without the e-mail, so the person still learns of it.
        try:
            with transaction.atomic():
                _deliver(reminder, now=now, sources=sources, email=False)
            return
        except Exception as last_error:  # nothing more to try
            reminder.last_error = f"{reminder.last_error}\n{type(last_error).__name__}: {last_error}"[:2000]
            _finish(reminder, now=now, outcome=ReminderOutcome.GAVE_UP)
            return
    reminder.next_attempt_at = now + retry_wait(reminder.attempts)
    reminder.save(update_fields=["emailed_at", "attempts", "last_error", "next_attempt_at"])


def retry_wait(attempts: int) -> dt.timedelta:
    """The wait after the n-th failure: the base, doubled each time, never more than the maximum."""
    base = reminder_setting("RETRY_BACKOFF_SECONDS")
    longest = reminder_setting("RETRY_BACKOFF_MAX_SECONDS")
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), longest))


def email_wanted(person: User, preference: str) -> bool:
    """Does the person want this kind of e-mail? No preference row means yes."""
    chosen = EmailPreference.objects.filter(user=person).values_list(preference, flat=True).first()
    return True if chosen is None else bool(chosen)


def _send_email(person: User, message: Message) -> None:
    base = settings.ECM_BASE_URL
    title = message.title[:1].lower() + message.title[1:]
    lines = [
        f"{message.title}.",
        "",
        message.body,
        "",
        f"Sign in to ECM for the details: {base}{message.link}",
        "",
        f"Choose which e-mails ECM sends you: {base}{reverse('reviews:email_preferences')}",
    ]
    send_mail(
        subject=f"ECM: {title}",
        message="\n".join(lines) + "\n",
        from_email=None,
        recipient_list=[person.email],
        fail_silently=False,
    )
