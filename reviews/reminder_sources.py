"""The registered reminder sources and weekly digest sources.

A new source is a class with `kind`, `subject_type`, `preference`, `due(today)` and
`message(reminder, today)` (see reminders.ReminderSource), added to REMINDER_SOURCES; a new part
of the weekly digest has `recipients(week)` and `items(person, week, today)` (see
reminders.DigestSource), added to DIGEST_SOURCES. Reviews, actions and formulation reports
plug in here when they exist.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import CLINICIAN_ROLES, Coverage, Membership, User
from referrals.models import Referral, ReferralStatus
from referrals.selectors import referral_may, triage_queue
from reviews.models import Reminder
from reviews.reminders import (
    DigestItem,
    DigestSource,
    Message,
    ReminderSource,
    Week,
    digest_week,
    due_rows,
    reminder_setting,
)
from reviews.working_days import AddWorkingDays, latest_start_due_by, working_days_between


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_active_clinician(user_ref: str) -> Exists:
    """The person (an outer reference) is an active psychologist or senior practitioner."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef(user_ref), role__in=CLINICIAN_ROLES, is_active=True, agency__is_active=True
        )
    )


class ReferralAwaitingTriage:
    """A referral waiting for triage longer than N working days: one reminder to each clinician
    covering the referring service, due on the first working day past the limit."""

    kind = "referral_awaiting_triage"
    subject_type = "referral"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        due_after = reminder_setting("TRIAGE_WAIT_WORKING_DAYS") + 1
        submitted_by = latest_start_due_by(today, due_after)
        # One filter call: the joins to the referrals are shared with the columns below.
        coverage = Coverage.objects.filter(
            yjs__referrals__status=ReferralStatus.SUBMITTED,
            yjs__referrals__submitted_at__lt=start_of_day(submitted_by + dt.timedelta(days=1)),
            clinician__is_active=True,
        ).filter(is_active_clinician("clinician_id"))
        return due_rows(
            coverage,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("clinician_id"),
            subject=F("yjs__referrals__id"),
            case=F("yjs__referrals__case_id"),
            due_on=AddWorkingDays(TruncDate("yjs__referrals__submitted_at"), due_after),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        referral = Referral.objects.select_related("referring_yjs").filter(pk=reminder.subject_id).first()
        if referral is None or referral.status != ReferralStatus.SUBMITTED or referral.submitted_at is None:
            return None
        # Still theirs to triage (coverage and roles change): the access module decides.
        if not referral_may(reminder.recipient, "triage_referral", referral):
            return None
        submitted_on = timezone.localdate(referral.submitted_at)
        waited = working_days_between(submitted_on, today)
        return Message(
            title=f"A referral has waited {working_days(waited)} for triage",
            body=(
                f"Referral {referral.pk} from {referral.referring_yjs.name} was submitted on "
                f"{long_date(submitted_on)} and is still waiting for a triage decision."
            ),
            link=referral.get_absolute_url(),
        )


class ReferralsAwaitingYourTriage:
    """Digest part: how many referrals wait for the person's triage, and the longest wait."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        return (
            User.objects.filter(is_active=True, coverage__yjs__referrals__status=ReferralStatus.SUBMITTED)
            .filter(is_active_clinician("pk"))
            .values("pk")
        )

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        submitted = [moment for moment in triage_queue(person).values_list("submitted_at", flat=True) if moment]
        if not submitted:
            return []
        longest = working_days_between(timezone.localdate(min(submitted)), today)
        count = len(submitted)
        waiting = "1 referral is" if count == 1 else f"{count} referrals are"
        return [
            DigestItem(
                text=f"{waiting} waiting for your triage; the longest has waited {working_days(longest)}.",
                link=reverse("referrals:triage_queue"),
            )
        ]


DIGEST_SOURCES: list[DigestSource] = [
    ReferralsAwaitingYourTriage(),
]


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

    def __init__(self, parts: list[DigestSource] | None = None) -> None:
        self.parts = DIGEST_SOURCES if parts is None else parts

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

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        week = Week(starts_on=reminder.due_on)
        items = [item for part in self.parts for item in part.items(reminder.recipient, week, today)]
        if not items:
            return None  # nothing to say this week: no digest
        return Message(
            title=f"Your ECM week from {long_date(week.starts_on)}",
            body="\n".join(item.text for item in items),
            link=items[0].link if len(items) == 1 else reverse("home"),
        )


REMINDER_SOURCES: list[ReminderSource] = [
    ReferralAwaitingTriage(),
    WeeklyDigest(),
]
