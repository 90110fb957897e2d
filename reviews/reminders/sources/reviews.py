"""Review reminders: the next review of a case is due soon, or overdue.

Each goes to the case holder, the psychologist and the senior practitioner, and checks again at
delivery that the case is open, still theirs and the review still due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet, Value
from django.urls import reverse

from cases import access
from cases.access import Action
from cases.models import Case, CaseStatus
from core.reminders import DueReminder, Message, due_rows, long_date, reminder_setting
from reviews.selectors import (
    PlusDays,
    held_by_due_date,
    next_review,
    reviewable_cases,
    with_review_due_on,
)

REVIEW_RECIPIENTS = ("case_holder", "psychologist", "senior_practitioner")


def _review_rows(cases: QuerySet[Any], *, kind: str, due_on: Any) -> QuerySet[Any]:
    """One row per case for each of its case holder, psychologist and senior practitioner."""
    rows = [
        due_rows(
            cases.filter(**{f"{role}__is_active": True}),
            kind=kind,
            subject_type="case",
            recipient=F(f"{role}_id"),
            subject=F("pk"),
            case=F("pk"),
            due_on=due_on,
        )
        for role in REVIEW_RECIPIENTS
    ]
    return rows[0].union(*rows[1:])


def _review_case(reminder: DueReminder) -> Case | None:
    """The reminder's case, while it is open and the recipient still holds it or is one of its
    clinicians, with its full record."""
    case = Case.objects.filter(pk=reminder.subject_id, status=CaseStatus.OPEN).first()
    if case is None:
        return None
    if reminder.recipient_id not in (case.case_holder_id, case.psychologist_id, case.senior_practitioner_id):
        return None
    if not access.may(reminder.recipient, Action.VIEW, case):
        return None
    return case


def _scheduled(scheduled_on: dt.date | None) -> str:
    if scheduled_on is None:
        return "It is not scheduled yet."
    return f"It is scheduled for {long_date(scheduled_on)}."


class ReviewDueSoon:
    """The next review is due in N days (7 by default): the case holder, psychologist and senior
    practitioner are reminded, whether or not it is scheduled."""

    kind = "review_due_soon"
    subject_type = "case"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        lead = reminder_setting("REVIEW_DUE_SOON_DAYS")
        cases = with_review_due_on(reviewable_cases()).filter(
            review_due_on__gte=today, review_due_on__lte=today + dt.timedelta(days=lead)
        )
        return _review_rows(cases, kind=self.kind, due_on=PlusDays(F("review_due_on"), Value(-lead)))

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        case = _review_case(reminder)
        if case is None:
            return None
        upcoming = next_review(case, today=today)
        lead = dt.timedelta(days=reminder_setting("REVIEW_DUE_SOON_DAYS"))
        if upcoming.due_on is None or upcoming.due_on != reminder.due_on + lead or upcoming.due_on < today:
            return None  # a review was signed off and moved the date, or it is overdue now
        days = (upcoming.due_on - today).days
        scheduled = upcoming.scheduled.held_on if upcoming.scheduled else None
        return Message(
            title="A review is due today" if days == 0 else f"A review is due in {days} day{'' if days == 1 else 's'}",
            body=f"The next review of case {case.pk} is due on {long_date(upcoming.due_on)}. {_scheduled(scheduled)}",
            link=reverse("reviews:review_list", args=[case.pk]),
        )


class ReviewOverdue:
    """The review's due date has passed and no review met by then: the same three people, once per due date."""

    kind = "review_overdue"
    subject_type = "case"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        cases = with_review_due_on(reviewable_cases()).filter(review_due_on__lt=today).exclude(held_by_due_date())
        return _review_rows(cases, kind=self.kind, due_on=PlusDays(F("review_due_on"), Value(1)))

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        case = _review_case(reminder)
        if case is None:
            return None
        upcoming = next_review(case, today=today)
        if upcoming.due_on != reminder.due_on - dt.timedelta(days=1) or not upcoming.overdue:
            return None
        assert upcoming.due_on is not None  # noqa: S101 - overdue has a due date
        scheduled = upcoming.scheduled.held_on if upcoming.scheduled else None
        return Message(
            title="A review is overdue",
            body=f"The review of case {case.pk} was due on {long_date(upcoming.due_on)}. {_scheduled(scheduled)}",
            link=reverse("reviews:review_list", args=[case.pk]),
        )
