"""Reads of actions: a case's recommendations once their formulation report is signed off, and the
actions reviews add (they have no report). An action is open while it is not started or in progress.

Its owner reaches an action while they see its case at all (a partner professional through the
shared summary); reading anyone else's needs the case's full record, and posting progress on it a
covering clinician. Every read starts from the access module.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from cases import access
from cases.access import Action
from cases.models import Case, CaseStatus
from config.converters import record_id_or_404
from core.pagination import CompiledPages
from formulation.models import ActionStatus, Recommendation, ReportStatus
from reviews.models import ActionProgress

OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


def is_action() -> Q:
    """A recommendation of a signed-off report, or an action a review added."""
    return Q(report__isnull=True) | Q(report__status=ReportStatus.SIGNED_OFF)


def actions_of(case: Case | int) -> QuerySet[Recommendation]:
    return Recommendation.objects.filter(case=case).filter(is_action())


def open_actions_of(case: Case) -> QuerySet[Recommendation]:
    return actions_of(case).filter(status__in=OPEN_ACTION_STATUSES)


def in_order(actions: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The report's recommendations in the report's order, then the actions reviews added, oldest first."""
    return actions.order_by(F("report__version").asc(nulls_last=True), "position", "created_at", "pk")


def with_details(actions: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """The actions with what their pages show: owner, origin and their progress notes, newest first (`notes`)."""
    return with_related(actions).prefetch_related(Prefetch("progress", queryset=notes_newest_first(), to_attr="notes"))


def with_related(actions: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """`with_details` without the notes."""
    return actions.select_related("report", "owner", "owner_agency", "added_at_review__review__meeting")


def notes_newest_first() -> QuerySet[ActionProgress]:
    return ActionProgress.objects.select_related("author", "review__meeting").order_by(
        "-noted_on", "-created_at", "-pk"
    )


def owner_label(action: Recommendation) -> str:
    """Who owns an action, with their agency: "Helen Marsh, Fernbrook Academy"."""
    name = action.owner.get_full_name() if action.owner_id and action.owner else action.owner_name
    agency = action.owner_agency.name if action.owner_agency_id and action.owner_agency else action.owner_agency_name
    return ", ".join(part for part in (name, agency) if part) or "No owner recorded"


def action_origin(action: Recommendation) -> str:
    """Where an action comes from: the report's version, or the review that added it."""
    if action.report_id and action.report:
        return f"Formulation report, version {action.report.version}"
    link = getattr(action, "added_at_review", None)
    if link is not None:
        return f"Added at the review of {long_date(link.review.held_on)}"
    return "Added at a review"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def my_actions(*, user: Any) -> QuerySet[Recommendation]:
    """The person's open actions on open cases they can see, soonest due first, with the date of the
    latest progress note."""
    latest_note = ActionProgress.objects.filter(action=OuterRef("pk")).order_by("-noted_on", "-created_at", "-pk")
    return (
        Recommendation.objects.filter(is_action())
        .filter(
            owner=user,
            status__in=OPEN_ACTION_STATUSES,
            case__in=access.visible_cases(user),
            case__status=CaseStatus.OPEN,
        )
        .select_related("case__child")
        .annotate(last_noted_on=Subquery(latest_note.values("noted_on")[:1]))
        .order_by("due_on", "pk")
    )


def my_action_pages(*, user: Any, per_page: int) -> CompiledPages:
    """`my_actions` in pages, their SQL compiled once per person's access (core.pagination.CompiledPages)."""
    return CompiledPages(_my_actions, user, values={}, per_page=per_page, key=access.scope_key(user))


def _my_actions(user: Any) -> QuerySet[Recommendation]:
    return my_actions(user=user)  # `my_actions` takes its person by keyword, as the placeholders are


def action_for(*, user: Any, action_id: int | str, purpose: str = "read") -> Recommendation:
    """One action for reading ("read") or for posting progress ("progress").

    Its owner reaches it while they see the case at all; otherwise reading needs the full record
    ("view") and posting progress needs "progress_action" (covering clinicians). 404 for an action
    that does not exist (or is still a draft recommendation) and for a case the person cannot see.
    """
    pk = record_id_or_404(action_id, "action")
    action = with_details(Recommendation.objects.filter(is_action())).filter(pk=pk).first()
    if action is None:
        raise Http404("No such action")
    if getattr(user, "pk", None) is not None and action.owner_id == user.pk:
        needed = Action.VIEW_SUMMARY
    else:
        needed = Action.VIEW if purpose == "read" else Action.PROGRESS_ACTION
    action.case = access.get_case_for(user, action.case_id, needed)
    return action


def may_progress(user: Any, action: Recommendation) -> bool:
    """May the person post progress on this action (its case already fetched for them)?"""
    if action.case.status != CaseStatus.OPEN:
        return False
    if action.owner_id == getattr(user, "pk", None):
        return access.may(user, Action.VIEW_SUMMARY, action.case)
    return access.may(user, Action.PROGRESS_ACTION, action.case)
