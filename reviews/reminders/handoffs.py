"""Hand-offs (core/handoffs.py) as reminders: the writer the formulation and reviews services call in their
transactions, and the sources that say what each hand-off means when it is delivered.

A hand-off is a reminder due the day it is written: the delivery run (every minute) makes it an in-app
notification and an e-mail (EmailPreference.send_email), once, like any other reminder. The sweep finds
none of them (`due` answers with none): the service that hands off writes them. Each message checks again
at delivery that its subject still stands and the recipient may still see it, else it is "no longer due".
No message names a child: the case number and the link (through the access module) are enough.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from cases import access
from cases.access import Action
from cases.models import CaseStatus
from core.handoffs import HandoffKind
from core.reminders import DueReminder, Message, ReminderSource, long_date
from formulation.models import FormulationReport, Meeting, MeetingStatus, Recommendation, ReportStatus
from formulation.services import when
from reviews.action_selectors import OPEN_ACTION_STATUSES
from reviews.models import Reminder


def handoffs_write(
    *, kind: str, subject_type: str, subject_id: int, case_id: int | None, recipient_ids: list[int]
) -> int:
    """One reminder per person, due today, in the caller's transaction (the same hand-off twice in a day is
    written once: the reminders' unique constraint)."""
    now = timezone.now()
    rows = [
        Reminder(
            kind=kind,
            recipient_id=recipient_id,
            subject_type=subject_type,
            subject_id=subject_id,
            case_id=case_id,
            due_on=timezone.localdate(now),
            created_at=now,
            next_attempt_at=now,
        )
        for recipient_id in recipient_ids
    ]
    return len(Reminder.objects.bulk_create(rows, ignore_conflicts=True))


class _Handoff:
    """What every hand-off source shares: written by the services, never by the sweep."""

    kind = ""
    subject_type = ""
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        return Reminder.objects.none()


def _report(reminder: DueReminder) -> FormulationReport | None:
    return (
        FormulationReport.objects.select_related("case", "author", "signed_off_by")
        .filter(pk=reminder.subject_id)
        .first()
    )


def _report_link(report: FormulationReport) -> str:
    return reverse("formulation:report_detail", args=[report.case_id, report.pk])


class ReportToSignOff(_Handoff):
    """A version was sent for review: those who may sign it off are told it waits for them."""

    kind = HandoffKind.REPORT_TO_SIGN_OFF
    subject_type = "formulation_report"

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        report = _report(reminder)
        if report is None or report.status != ReportStatus.IN_REVIEW or report.author_id == reminder.recipient_id:
            return None
        if report.case.status != CaseStatus.OPEN or not access.may(
            reminder.recipient, Action.REVIEW_REPORT, report.case
        ):
            return None
        return Message(
            title="A formulation report waits for your sign-off",
            body=f"Version {report.version} of the formulation report of case {report.case_id} was sent for review "
            f"by {report.author.get_full_name()}. Read it, comment, and sign it off or send it back.",
            link=_report_link(report),
        )


class ReportSignedOff(_Handoff):
    """A version was signed off: its author and the case holder are told."""

    kind = HandoffKind.REPORT_SIGNED_OFF
    subject_type = "formulation_report"

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        report = _report(reminder)
        if report is None or report.status != ReportStatus.SIGNED_OFF or report.signed_off_at is None:
            return None
        if not access.may(reminder.recipient, Action.VIEW, report.case):
            return None
        signer = report.signed_off_by.get_full_name() if report.signed_off_by else "a reviewer"
        return Message(
            title="A formulation report was signed off",
            body=f"Version {report.version} of the formulation report of case {report.case_id} was signed off by "
            f"{signer} on {long_date(timezone.localdate(report.signed_off_at))}. Its recommendations are now "
            "the case's actions.",
            link=_report_link(report),
        )


class ReportSentBack(_Handoff):
    """A reviewer sent a version back to its author with what to change."""

    kind = HandoffKind.REPORT_SENT_BACK
    subject_type = "formulation_report"

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        report = _report(reminder)
        if report is None or report.status != ReportStatus.DRAFT or report.author_id != reminder.recipient_id:
            return None
        if not access.may(reminder.recipient, Action.WRITE_REPORT, report.case):
            return None
        return Message(
            title="A formulation report was sent back to you",
            body=f"Version {report.version} of the formulation report of case {report.case_id} was sent back for "
            "changes. The reviewer's comments are on the report; send it for review again when it is ready.",
            link=_report_link(report),
        )


class ActionAssigned(_Handoff):
    """Someone made the recipient the owner of an action (at a sign-off, a review, or a hand-over)."""

    kind = HandoffKind.ACTION_ASSIGNED
    subject_type = "action"

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        action = (
            Recommendation.objects.select_related("case")
            .filter(pk=reminder.subject_id, became_action_at__isnull=False, status__in=OPEN_ACTION_STATUSES)
            .first()
        )
        if action is None or action.owner_id != reminder.recipient_id or action.case.status != CaseStatus.OPEN:
            return None
        if not access.may(reminder.recipient, Action.VIEW_SUMMARY, action.case):
            return None
        due = f", due {long_date(action.due_on)}" if action.due_on else ""
        return Message(
            title="You own a new action",
            body=f"You are now the owner of an action on case {action.case_id}{due}. "
            "Post its progress in ECM as it moves on.",
            link=reverse("reviews:action_detail", args=[action.pk]),
        )


class MeetingScheduled(_Handoff):
    """A meeting was scheduled on a case the recipient holds or is a clinician of."""

    kind = HandoffKind.MEETING_SCHEDULED
    subject_type = "meeting"

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        meeting = (
            Meeting.objects.select_related("case")
            .filter(pk=reminder.subject_id, status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now())
            .first()
        )
        if meeting is None or not access.may(reminder.recipient, Action.VIEW, meeting.case):
            return None
        return Message(
            title="A meeting was scheduled on your case",
            body=f"A {meeting.get_purpose_display().lower()} of case {meeting.case_id} is scheduled for "
            f"{when(meeting.starts_at)}.",
            link=meeting.get_absolute_url(),
        )


HANDOFF_SOURCES: tuple[ReminderSource, ...] = (
    ReportToSignOff(),
    ReportSignedOff(),
    ReportSentBack(),
    ActionAssigned(),
    MeetingScheduled(),
)
