"""Clock, referral and e-mail helpers for the reminder tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from smtplib import SMTPException
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from referrals.models import Referral
from reviews.models import Reminder
from reviews.reminders import DeliveryReport, reminders_deliver, reminders_sweep
from tests.conftest import Cast
from tests.factories import child as make_child
from tests.referrals.helpers import submitted_referral

LONDON = ZoneInfo("Europe/London")


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@contextmanager
def on(day: dt.date, hour: int = 9, minute: int = 0) -> Iterator[None]:
    """Stand at `hour`:`minute` on `day`, London time, with the clock stopped."""
    with time_machine.travel(at(day, hour, minute), tick=False):
        yield


def referral_submitted_on(cast: Cast, day: dt.date, **kwargs: Any) -> Referral:
    """A complete Bristol referral (for a new child) submitted at 10:00 on `day`."""
    with on(day, 10):
        kwargs.setdefault("child", make_child())
        return submitted_referral(cast, **kwargs)


def sweep_and_deliver_twice() -> tuple[list[dict[str, int]], list[DeliveryReport]]:
    """What beat does, run twice as a retry or a second beat would: nothing may go twice."""
    sweeps = [reminders_sweep(), reminders_sweep()]
    deliveries = [reminders_deliver(), reminders_deliver()]
    return sweeps, deliveries


def reminders_of(kind: str, **filters: Any) -> list[Reminder]:
    return list(Reminder.objects.filter(kind=kind, **filters).order_by("recipient__username", "due_on"))


def emails_to(username_or_address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if any(username_or_address in to for to in message.to)]


def subjects(messages: Sequence[mail.EmailMessage]) -> list[str]:
    return [str(message.subject) for message in messages]


def today() -> dt.date:
    return timezone.localdate()


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages: Sequence[mail.EmailMessage]) -> int:
        raise SMTPException("421 Service not available, closing transmission channel")
