"""Formulation reminders: a report not signed off weeks after its meeting, and the meetings part of the digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import dateformat, timezone

from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import CaseStatus
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
from formulation.models import FormulationReport, Invitation, Meeting, MeetingPurpose, MeetingStatus, ReportStatus
from formulation.selectors import my_meetings


def _signed_off_since_meeting() -> Exists:
    """A report of the meeting's case (an outer reference) signed off after the meeting began."""
    return Exists(
        FormulationReport.objects.filter(
            case=OuterRef("case_id"), status=ReportStatus.SIGNED_OFF, signed_off_at__gte=OuterRef("starts_at")
        )
    )


class ReportNotSignedOff:
    """N working days (15 by default) after a formulation meeting was held, its report is still not
    signed off: the case's psychologist is reminded, once per meeting."""

    kind = "report_not_signed_off"
    subject_type = "meeting"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        after = reminder_setting("REPORT_SIGN_OFF_WORKING_DAYS")
        held_by = latest_start_due_by(today, after)
        meetings = Meeting.objects.filter(
            purpose=MeetingPurpose.FORMULATION,
            status=MeetingStatus.HELD,
            starts_at__lt=start_of_day(held_by + dt.timedelta(days=1)),
            case__status=CaseStatus.OPEN,
            case__psychologist__is_active=True,
        ).exclude(_signed_off_since_meeting())
        return due_rows(
            meetings,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("case__psychologist_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=AddWorkingDays(TruncDate("starts_at"), after),
        )

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        meeting = (
            Meeting.objects.filter(pk=reminder.subject_id, status=MeetingStatus.HELD, case__status=CaseStatus.OPEN)
            .exclude(_signed_off_since_meeting())
            .select_related("case")
            .first()
        )
        if meeting is None or meeting.case.psychologist_id != reminder.recipient_id:
            return None
        if not access.may(reminder.recipient, Action.WRITE_REPORT, meeting.case):
            return None
        held_on = timezone.localdate(meeting.starts_at)
        return Message(
            title="A formulation report is not signed off",
            body=f"The formulation meeting of case {meeting.case_id} was held on {long_date(held_on)}, "
            f"{working_days(working_days_between(held_on, today))} ago, and its report is not signed off yet.",
            link=meeting.case.get_absolute_url(),
        )


def _week_bounds(week: Week) -> tuple[dt.datetime, dt.datetime]:
    return start_of_day(week.starts_on), start_of_day(week.ends_on + dt.timedelta(days=1))


class YourMeetingsThisWeek:
    """Digest part: the meetings the person organises or is invited to this week."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        starts, ends = _week_bounds(week)
        in_week = Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, starts_at__gte=starts, starts_at__lt=ends, case__status=CaseStatus.OPEN
        )
        invited = Invitation.objects.filter(meeting__in=in_week, removed_at__isnull=True, user__isnull=False)
        return User.objects.filter(
            Q(pk__in=in_week.values("organiser_id"))
            | Q(pk__in=invited.values("user_id"))
            # The case's own clinicians see its meetings invited or not (formulation.selectors.my_meetings).
            | Q(pk__in=in_week.values("case__psychologist_id"))
            | Q(pk__in=in_week.values("case__senior_practitioner_id")),
            is_active=True,
        ).values("pk")

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        starts, ends = _week_bounds(week)
        meetings = my_meetings(user=person, now=starts).filter(starts_at__lt=ends)
        items = []
        for meeting in meetings:
            local = timezone.localtime(meeting.starts_at)
            items.append(
                DigestItem(
                    text=f"{dateformat.format(local, 'l j F')} at {local:%H:%M}: "
                    f"{meeting.get_purpose_display().lower()}, case {meeting.case_id}.",
                    link=meeting.get_absolute_url(),
                )
            )
        return items
