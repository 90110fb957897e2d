"""Action reminders: an open action due soon or overdue (to its owner), and the actions part of the digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet, Value
from django.urls import reverse
from django.utils import dateformat

from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import CaseStatus
from core.reminders import DigestItem, DueReminder, Message, Week, due_rows, long_date, reminder_setting
from formulation.models import Recommendation
from reviews.action_selectors import OPEN_ACTION_STATUSES, is_action, my_actions
from reviews.selectors import PlusDays


def open_actions() -> QuerySet[Recommendation]:
    """Open actions with an active owner on open cases."""
    return Recommendation.objects.filter(is_action()).filter(
        status__in=OPEN_ACTION_STATUSES, owner__is_active=True, case__status=CaseStatus.OPEN
    )


def _owned_action(reminder: DueReminder) -> Recommendation | None:
    """The reminder's action while it is open, still the recipient's, and its case still theirs to see."""
    action = open_actions().select_related("case").filter(pk=reminder.subject_id).first()
    if action is None or action.owner_id != reminder.recipient_id:
        return None
    if not access.may(reminder.recipient, Action.VIEW_SUMMARY, action.case):
        return None
    return action


class ActionDueSoon:
    """An open action is due in N days (7 by default): its owner is reminded, partners included."""

    kind = "action_due_soon"
    subject_type = "action"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        lead = reminder_setting("ACTION_DUE_SOON_DAYS")
        actions = open_actions().filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=lead))
        return due_rows(
            actions,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("owner_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=PlusDays(F("due_on"), Value(-lead)),
        )

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        action = _owned_action(reminder)
        lead = dt.timedelta(days=reminder_setting("ACTION_DUE_SOON_DAYS"))
        if action is None or action.due_on != reminder.due_on + lead or action.due_on < today:
            return None
        return Message(
            title=f"An action of yours is due on {long_date(action.due_on)}",
            body=f"You own an action on case {action.case_id} that is due on {long_date(action.due_on)}. "
            "Post its progress in ECM.",
            link=reverse("reviews:action_detail", args=[action.pk]),
        )


class ActionOverdue:
    """An open action is past its due date: its owner is reminded once, the day after."""

    kind = "action_overdue"
    subject_type = "action"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        return due_rows(
            open_actions().filter(due_on__lt=today),
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("owner_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=PlusDays(F("due_on"), Value(1)),
        )

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        action = _owned_action(reminder)
        if action is None or action.due_on != reminder.due_on - dt.timedelta(days=1):
            return None
        return Message(
            title="An action of yours is overdue",
            body=f"You own an action on case {action.case_id} that was due on {long_date(action.due_on)}. "
            "Post its progress in ECM, or ask for its date to be changed at the next review.",
            link=reverse("reviews:action_detail", args=[action.pk]),
        )


class YourActionsDueThisWeek:
    """Digest part: how many of the person's open actions are due by the end of the week, and how many overdue."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        return User.objects.filter(
            is_active=True, pk__in=open_actions().filter(due_on__lte=week.ends_on).values("owner_id")
        ).values("pk")

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        due = list(my_actions(user=person).filter(due_on__lte=week.ends_on).values_list("due_on", flat=True))
        if not due:
            return []
        overdue = sum(1 for due_on in due if due_on < today)
        count = "1 of your actions is" if len(due) == 1 else f"{len(due)} of your actions are"
        if not overdue:
            late = ""
        elif len(due) == 1:
            late = ", and it is overdue"
        else:
            late = f", {overdue} of them overdue"
        return [
            DigestItem(
                text=f"{count} due by {dateformat.format(week.ends_on, 'l j F')}{late}.",
                link=reverse("reviews:my_actions"),
            )
        ]
