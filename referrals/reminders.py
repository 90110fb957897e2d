"""Referrals' reminders: a referral waiting too long for triage, and the triage part of the weekly digest.

Registered in core/reminders.py from ReferralsConfig.ready(); reviews' sweep and delivery send them.
Every message checks again, at delivery, that the referral still waits and is still the
recipient's to triage (through the access module). No message names a child.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts.models import CLINICIAN_ROLES, Coverage, Membership, User
from cases.access import Action
from core.reminders import (
    DigestItem,
    DueReminder,
    Message,
    Week,
    due_rows,
    long_date,
    reminder_setting,
    start_of_day,
    working_days,
)
from core.working_days import AddWorkingDays, latest_start_due_by, working_days_between
from referrals.models import Referral, ReferralStatus
from referrals.selectors import referral_may, triage_queue


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

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        referral = Referral.objects.select_related("referring_yjs").filter(pk=reminder.subject_id).first()
        if referral is None or referral.status != ReferralStatus.SUBMITTED or referral.submitted_at is None:
            return None
        # Still theirs to triage (coverage and roles change): the access module decides.
        if not referral_may(reminder.recipient, Action.TRIAGE_REFERRAL, referral):
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
