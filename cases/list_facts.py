"""Facts that apps above `cases` add to each row of the caseload (when the next review is due, how many
actions are overdue), so the caseload shows and sorts by them in its one query.

`cases` never imports those apps: each registers a named SQL expression on the case's row
(`OuterRef("pk")` is the case) from its AppConfig.ready(), as cases/sections.py does for the case page.
A fact must be a scalar subquery the planner answers from an index per row (no correlated EXISTS over
a large table: issue 14's JIT compilations). The caseload shows a fact only on rows whose full record
the person may read (cases.selectors.case_list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ListFact:
    name: str  # the annotation on each row, e.g. "next_review_on"
    expression: Callable[[], Any]  # built per request: a fact may depend on today's date


_FACTS: dict[str, ListFact] = {}


def register_list_fact(fact: ListFact) -> None:
    """Add (or replace, on a reload) a fact of the caseload's rows."""
    _FACTS[fact.name] = fact


def list_fact_expressions() -> dict[str, Any]:
    """Every registered fact's SQL expression, by name (a missing app's fact is simply absent)."""
    return {name: fact.expression() for name, fact in sorted(_FACTS.items())}
