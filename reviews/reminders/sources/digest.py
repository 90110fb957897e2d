"""The weekly digest: one reminder per person per week, made of the parts the apps register."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q, QuerySet
from django.urls import reverse

from accounts.models import User
from core.reminders import DigestSource, DueReminder, Message, Week, digest_sources, digest_week, due_rows, long_date


class WeeklyDigest:
    """One digest per person per week, made on the configured weekday, only when it has something in it.

    Every sweep of the digest day adds the digests still missing (sweeps run every 15 minutes), so
    an outage of a few hours delays the digests. An outage lasting the whole day skips that week's
    digest: it only summarises what the reminders and the lists already tell, and a digest for a
    past week arriving midweek would mislead.
    """

    kind = "weekly_digest"
    subject_type = "person"
    preference = "weekly_digest"

    def __init__(self, parts: Sequence[DigestSource] | None = None) -> None:
        self._parts = parts

    @property
    def parts(self) -> Sequence[DigestSource]:
        """The parts given, or else every part the apps registered (read when used, not when made)."""
        return digest_sources() if self._parts is None else self._parts

    def due(self, today: dt.date) -> QuerySet[Any]:
        week = digest_week(today)
        people = User.objects.none()
        if self.parts and today == week.starts_on:
            having_news = reduce(or_, (Q(pk__in=part.recipients(week)) for part in self.parts))
            people = User.objects.filter(having_news, is_active=True)
        return due_rows(
            people,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("pk"),
            subject=F("pk"),
            due_on=week.starts_on,
        )

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        week = Week(starts_on=reminder.due_on)
        items = [item for part in self.parts for item in part.items(reminder.recipient, week, today)]
        if not items:
            return None  # nothing to say this week: no digest
        return Message(
            title=f"Your ECM week from {long_date(week.starts_on)}",
            body="\n".join(item.text for item in items),
            link=items[0].link if len(items) == 1 else reverse("home"),
        )
