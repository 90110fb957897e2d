"""The reviews section of the case page (registered in ReviewsConfig.ready() through cases/sections.py)."""

from __future__ import annotations

from typing import Any

from cases import access
from cases.access import Action
from cases.models import Case, CaseKind
from reviews.action_selectors import open_actions_of
from reviews.capabilities import case_review_capabilities
from reviews.selectors import next_review


def review_section_context(user: Any, case: Case, caps: Any) -> dict[str, Any] | None:
    """The reviews section of the case page, for those who read the full record of a formulation case:
    the next review (proposed or scheduled), the last one, and the open actions with how many are overdue."""
    if case.kind != CaseKind.FORMULATION or not access.may(user, Action.VIEW, case):
        return None
    upcoming = next_review(case)
    open_actions = list(open_actions_of(case).values_list("due_on", flat=True))
    return {
        "next_review": upcoming,
        "open_action_count": len(open_actions),
        "overdue_action_count": sum(1 for due_on in open_actions if due_on < upcoming.today),
        "caps": case_review_capabilities(user, case),
    }
