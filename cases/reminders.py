"""Rectification notices: the people a case's summary is shared with are told that a correction was
made to the child's details (GDPR article 19: a correction is passed on to whoever was given the data).

Registered in core/reminders.py from CasesConfig.ready(); reviews' sweep writes one reminder per
person and correction (the correction's row is written in the correction's own transaction, so a
Redis outage delays the notice but cannot lose it), and delivery makes the in-app notification and
the e-mail (as the person's preference says). The message names no child and no value: it says a
correction was made and links to the case summary, which the access module guards as on any visit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases import access
from cases.access import Action
from cases.models import NetworkMember, Rectification
from core.reminders import DueReminder, Message, due_rows, long_date, start_of_day

# How far back the sweep looks for corrections: long enough to outlast any outage of the sweep.
LOOK_BACK_DAYS = 14


class RectificationNotice:
    """A correction to a child's details: one reminder to each person the summary of one of the
    child's cases is shared with (as a network member), due the day of the correction."""

    kind = "rectification"
    subject_type = "rectification"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        member = "child__cases__network__"
        # One filter call: every condition is about the same network place.
        corrected = Rectification.objects.filter(
            Q(**{f"{member}user_id__lt": F("corrected_by_id")}) | Q(**{f"{member}user_id__gt": F("corrected_by_id")}),
            corrected_at__gte=start_of_day(today - dt.timedelta(days=LOOK_BACK_DAYS)),
            **{
                f"{member}may_see_summary": True,
                f"{member}removed_at__isnull": True,
                f"{member}user__is_active": True,
                f"{member}added_at__lte": F("corrected_at"),
            },
        )
        return due_rows(
            corrected,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F(f"{member}user_id"),
            subject=F("id"),
            case=F(f"{member}case_id"),
            due_on=TruncDate("corrected_at"),
        )

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        rectification = Rectification.objects.select_related("corrected_by").filter(pk=reminder.subject_id).first()
        if rectification is None:
            return None
        # Still shared with them (the network and the shares change): the access module decides.
        place = (
            NetworkMember.objects.select_related("case")
            .filter(
                case__child_id=rectification.child_id,
                user_id=reminder.recipient_id,
                may_see_summary=True,
                removed_at__isnull=True,
            )
            .order_by("case_id")
            .first()
        )
        if place is None or not access.may(reminder.recipient, Action.VIEW_SUMMARY, place.case):
            return None
        corrected_on = timezone.localdate(rectification.corrected_at)
        return Message(
            title="A correction was made to a child's record shared with you",
            body=(
                f"{rectification.corrected_by.get_full_name()} corrected a mistake in the child's details of "
                f"case {place.case.pk} on {long_date(corrected_on)}. The case summary shows the details as they "
                "are now; if you keep a copy of them, please correct it too."
            ),
            link=place.case.get_absolute_url(),
        )
