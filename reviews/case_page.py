"""The reviews section of the case page (registered in ReviewsConfig.ready() through cases/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from cases import access
from cases.access import Action
from cases.models import Case, CaseKind
from cases.sections import Glance, compiled_facts, count_of, facts_of
from core.reminders import long_date
from formulation.models import Recommendation
from reviews.action_selectors import OPEN_ACTION_STATUSES, is_action
from reviews.capabilities import case_review_capabilities
from reviews.selectors import next_review, next_review_facts


def _shown(user: Any, case: Case) -> bool:
    """For those who read the full record of a formulation case."""
    return case.kind == CaseKind.FORMULATION and access.may(user, Action.VIEW, case)


def review_section_facts(user: Any, case: Case, caps: Any) -> dict[str, Any]:
    """The section's facts on the case's row (cases.sections): when the next review is due, the cadence,
    and how many actions are open and overdue."""
    return compiled_facts(_review_section_facts) if _shown(user, case) else {}


def _review_section_facts() -> dict[str, Any]:
    open_actions = Recommendation.objects.filter(case=OuterRef("pk")).filter(
        is_action(), status__in=OPEN_ACTION_STATUSES
    )  # as open_actions_of
    return {
        **next_review_facts(),
        "open_action_count": count_of(open_actions),
        "overdue_action_count": count_of(open_actions.filter(due_on__lt=timezone.localdate())),
    }


def review_section_context(
    user: Any, case: Case, caps: Any, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The reviews section of the case page, for those who read the full record of a formulation case:
    the next review (proposed or scheduled), the last one, and the open actions with how many are overdue."""
    if not _shown(user, case):
        return None
    if facts is None:
        facts = facts_of(case, review_section_facts(user, case, caps))
    return {
        "next_review": next_review(case, facts=facts),
        "open_action_count": facts["open_action_count"],
        "overdue_action_count": facts["overdue_action_count"],
        "caps": case_review_capabilities(user, case),
    }


def review_glance(user: Any, case: Case, caps: Any, facts: Mapping[str, Any]) -> list[Glance]:
    """The overview's rows, from the section's facts and one query (next_review): the next review, and the open
    actions with how many are overdue."""
    if not facts:  # not a formulation case, or not the full record
        return []
    upcoming = next_review(case, facts=facts)
    href = reverse("cases:meetings", kwargs={"case_id": case.pk})
    if upcoming.scheduled is not None:
        review = Glance(
            "Next review",
            f"Scheduled for {long_date(timezone.localtime(upcoming.scheduled.meeting.starts_at).date())}",
            href=upcoming.scheduled.get_absolute_url(),
        )
    elif upcoming.due_on is not None:
        review = Glance(
            "Next review",
            f"Due on {long_date(upcoming.due_on)}",
            detail="Not scheduled yet",
            href=href,
            warning="Overdue" if upcoming.overdue else "",
        )
    else:
        review = Glance("Next review", "Proposed once the formulation report is signed off", href=href)
    open_count, overdue_count = facts["open_action_count"], facts["overdue_action_count"]
    actions = Glance(
        "Open actions",
        f"{open_count} open",
        detail=f"{overdue_count} overdue" if overdue_count else "",
        href=reverse("cases:plan", kwargs={"case_id": case.pk}),
        warning="Overdue" if overdue_count else "",
    )
    return [review, actions]
