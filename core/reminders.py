"""The reminder sources' registry and kit: what a source is, what it says, and how it lists what is due.

An app that has something to remind people of (a referral waiting for triage, a review due, an
action overdue...) writes a *source* and registers it from its AppConfig.ready(), as the apps
above `cases` register case page sections; a part of the weekly digest is registered the same
way. The machinery that writes the reminders down and delivers them (reviews/reminders/) reads
this registry and never imports the apps that fill it.

A source answers "which reminders are due today?" as one queryset of rows, built with
`due_rows`, and later "what does this reminder say?" (a `Message`, or None when its subject has
moved on). Nothing here knows a model: the rows name a recipient, a subject and (optionally) the
case it belongs to by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db.models import BigIntegerField, CharField, DateField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import dateformat, timezone


def reminder_setting(name: str) -> int:
    """One value of the ECM_REMINDERS block in settings (lead times, the digest day, retries)."""
    return int(settings.ECM_REMINDERS[name])


@dataclass(frozen=True)
class Message:
    """What a reminder says, in the notification list and in the e-mail. It names no child."""

    title: str
    body: str
    link: str


class DueReminder(Protocol):
    """What a source reads of a reminder it wrote down (reviews.models.Reminder)."""

    @property
    def recipient(self) -> Any: ...

    @property
    def recipient_id(self) -> int: ...

    @property
    def subject_id(self) -> int: ...

    @property
    def due_on(self) -> dt.date: ...


class ReminderSource(Protocol):
    """One kind of reminder. Register an instance with `register_reminder_source`."""

    kind: str  # stored on each Reminder; unique among the sources
    subject_type: str  # what subject_id points at, e.g. "referral"
    preference: str  # the EmailPreference field that lets the person turn its e-mail off

    def due(self, today: dt.date) -> QuerySet[Any]:
        """Every reminder due on or before `today`, as `due_rows(...)` (one SQL query)."""
        ...

    def message(self, reminder: Any, today: dt.date) -> Message | None:  # reminder: a DueReminder
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
    """One part of the weekly digest. Register an instance with `register_digest_source`."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        """The people with something in this part of their digest, as `User ... .values("pk")`."""
        ...

    def items(self, person: Any, week: Week, today: dt.date) -> list[DigestItem]:
        """The lines of this person's digest from this source (none: the digest may be empty)."""
        ...


# The registry: (order, kind or name) -> source. Smaller orders first, so the sweep and the
# digest's lines keep one order whatever the order the apps become ready in.

_REMINDER_SOURCES: dict[str, tuple[int, ReminderSource]] = {}
_DIGEST_SOURCES: dict[str, tuple[int, DigestSource]] = {}


def register_reminder_source(source: ReminderSource, *, order: int) -> None:
    """Add (or replace, on a reload) a kind of reminder."""
    _REMINDER_SOURCES[source.kind] = (order, source)


def register_digest_source(name: str, source: DigestSource, *, order: int) -> None:
    """Add (or replace, on a reload) a part of the weekly digest; `order` places its lines."""
    _DIGEST_SOURCES[name] = (order, source)


def reminder_sources() -> Sequence[ReminderSource]:
    """Every registered kind of reminder, in order."""
    return [source for _, source in sorted(_REMINDER_SOURCES.values(), key=lambda entry: (entry[0], entry[1].kind))]


def digest_sources() -> Sequence[DigestSource]:
    """Every registered part of the weekly digest, in order."""
    ordered = sorted(_DIGEST_SOURCES.items(), key=lambda entry: (entry[1][0], entry[0]))
    return [source for _, (_, source) in ordered]


# The kit a source is written with.

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


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
