"""Reads of cases that need logic. Every list starts from the access module's scoped querysets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.access import visible_cases
from cases.models import Case, CaseStatus


def case_list(*, user: Any, status: str = CaseStatus.OPEN, held_by_me: bool = False) -> QuerySet[Case]:
    """The person's visible cases for list pages, newest first, with what the rows show."""
    cases = visible_cases(user).select_related("child", "owning_yjs", "case_holder")
    if status:
        cases = cases.filter(status=status)
    if held_by_me:
        cases = cases.filter(case_holder=user)
    return cases.order_by("-opened_at", "-pk")


def open_case_count() -> int:
    """How many ECM cases are open across every service (an aggregate: no child is identified)."""
    return Case.objects.filter(status=CaseStatus.OPEN).count()
