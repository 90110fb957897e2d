"""The reminder machinery: sources say what is due, the sweep writes it down, delivery sends it once.

1. A *source* (reviews/reminder_sources.py) answers "which reminders are due today?" as one
   queryset of rows (`due_rows`), and later "what does this reminder say?" (`message`).
2. `reminders_sweep` turns every source's rows into Reminder rows with one
   ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` each: set-based, so it stays fast over
   100,000 open items, and the unique constraint makes running it twice (two beats, a retry,
   a restart) harmless.
3. `reminders_deliver` takes unsent reminders one at a time with ``FOR UPDATE SKIP LOCKED``,
   creates the in-app notification, sends the e-mail and sets `sent_at` in the same
   transaction, so two workers never deliver the same reminder and a crash delivers it again
   rather than never. A failure is retried later with a growing wait (`next_attempt_at`).

Everything lives in PostgreSQL: when Redis is down, beat cannot start a sweep or a delivery,
and the next run after it comes back delivers everything still unsent. The one gap no database
closes: if the commit fails after the mail server accepted an e-mail, that e-mail goes again on
the next run (the notification cannot: it is in the transaction that failed).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import BigIntegerField, CharField, DateField, QuerySet, Value
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reviews.models import EmailPreference, Notification, Reminder, ReminderOutcome

logger = logging.getLogger(__name__)


def reminder_setting(name: str) -> int:
    """One value of the ECM_REMINDERS block in settings (lead times, the digest day, retries)."""
    return int(settings.ECM_REMINDERS[name])


@dataclass(frozen=True)
class Message:
    """What a reminder says, in the notification list and in the e-mail. It names no child."""

    title: str
    body: str
    link: str


class ReminderSource(Protocol):
    """One kind of reminder. Register an instance in reviews/reminder_sources.py."""

    kind: str  # stored on each Reminder; unique among the sources
    subject_type: str  # what subject_id points at, e.g. "referral"
    preference: str  # the EmailPreference field that lets the person turn its e-mail off

    def due(self, today: dt.date) -> QuerySet[Any]:
        """Every reminder due on or before `today`, as `due_rows(...)` (one SQL query)."""
        ...

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        """What the reminder says now, or None if it is no longer due (the subject moved on)."""
        ...


@dataclass(frozen=True)
class Week:
    starts_on: dt.date

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=6)


def digest_week(today: dt.date) -> Week:
    """The digest week `today` falls in: it starts on the configured weekday (0 is Monday)."""
    weekday = reminder_setting("DIGEST_WEEKDAY")
    return Week(starts_on=today - dt.timedelta(days=(today.weekday() - weekday) % 7))


@dataclass(frozen=True)
class DigestItem:
    text: str
    link: str


class DigestSource(Protocol):
    """One part of the weekly digest. Register an instance in reviews/reminder_sources.py."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        """The people with something in this part of their digest, as `User ... .values("pk")`."""
        ...

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        """The lines of this person's digest from this source (none: the digest may be empty)."""
        ...


DUE_COLUMNS = {
    "kind": "reminder_kind",
    "recipient_id": "reminder_recipient_id",
    "subject_type": "reminder_subject_type",
    "subject_id": "reminder_subject_id",
    "case_id": "reminder_case_id",
    "due_on": "reminder_due_on",
}


def due_rows(
    records: QuerySet[Any],
    *,
    kind: str,
    subject_type: str,
    recipient: Any,
    subject: Any,
    due_on: Any,
    case: Any = None,
) -> QuerySet[Any]:
    """A source's due reminders: `records` reduced to the columns of a Reminder, one row each.

    `recipient`, `subject`, `case` and `due_on` are expressions over `records` (F("..."),
    AddWorkingDays(...)) or plain values. Aliases are prefixed so they never clash with the
    fields of the model the rows come from.
    """
    if not hasattr(due_on, "resolve_expression"):
        due_on = Value(due_on, output_field=DateField())
    if case is None:
        case = Value(None)
    # Typed, so PostgreSQL knows what a literal or NULL is when the rows are inserted.
    return records.order_by().values(
        reminder_kind=Cast(Value(kind), CharField()),
        reminder_recipient_id=Cast(recipient, BigIntegerField()),
        reminder_subject_type=Cast(Value(subject_type), CharField()),
        reminder_subject_id=Cast(subject, BigIntegerField()),
        reminder_case_id=Cast(case, BigIntegerField()),
        reminder_due_on=Cast(due_on, DateField()),
    )


def registered_sources() -> Sequence[ReminderSource]:
    # Imported here: the sources build on this module's kit (Message, due_rows, Week).
    from reviews.reminder_sources import REMINDER_SOURCES

    return REMINDER_SOURCES


def source_for(kind: str, sources: Sequence[ReminderSource] | None = None) -> ReminderSource:
    for source in registered_sources() if sources is None else sources:
        if source.kind == kind:
            return source
    raise LookupError(f"No reminder source is registered for {kind!r}")


# The sweep.


def _insert_due(rows: QuerySet[Any], *, now: dt.datetime) -> int:
    """INSERT the rows as reminders in one statement, skipping those that exist already."""
    try:
        select_sql, select_params = rows.query.sql_with_params()
    except EmptyResultSet:  # the source answered with .none()
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [*DUE_COLUMNS, "created_at", "next_attempt_at", "attempts"])
    due = ", ".join(f"due.{quote(alias)}" for alias in DUE_COLUMNS.values())
    # Identifiers come from the model and DUE_COLUMNS, values travel as parameters.
    statement = (
        f"INSERT INTO {quote(Reminder._meta.db_table)} ({columns}, last_error, outcome) "  # noqa: S608
        f"SELECT {due}, %s, %s, 0, '', '' FROM ({select_sql}) AS due "
        "ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (now, now, *select_params))
        return cursor.rowcount


@transaction.atomic
def reminders_sweep(
    *, today: dt.date | None = None, now: dt.datetime | None = None, sources: Sequence[ReminderSource] | None = None
) -> dict[str, int]:
    """Write down every reminder due by `today` that does not exist yet; how many each source added."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    created: dict[str, int] = {}
    for source in registered_sources() if sources is None else sources:
        created[source.kind] = _insert_due(source.due(today), now=now)
    if any(created.values()):
        logger.info("Reminder sweep for %s added %s", today, created)
    return created


# Delivery.


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
