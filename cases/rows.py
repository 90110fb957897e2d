"""What each row of a case table says (`cases/includes/case_table.html`: the caseload, home), as words.

The template only places them: resolving dates, links and choices there cost more than the caseload's queries
(core.rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from cases.models import CaseKind, CaseStatus
from core.rows import id_url, table_date


class CaseRow(TypedDict, total=False):
    url: str
    child: str
    service: str
    kind: str
    holder: str
    status: str
    closed: bool
    opened: str
    # The caseload's work columns (`with_work_columns`, marked by `mark_work`), shown where `full_record`.
    full_record: bool
    last_contact: str  # "" when there has been none
    days_ago: str  # "3 days ago"
    contact_overdue: bool
    next_review: str
    review_overdue: bool
    stage: int | None
    overdue_actions: int
    # Find a child (`case_search`): the name as typed, and what only the full record shows.
    exact: bool
    date_of_birth: str
    reference: str  # "None" when the child has none


# Each choice's words, looked up directly (`get_FOO_display` builds the field's choices on every call).
_KINDS, _STATUSES = dict(CaseKind.choices), dict(CaseStatus.choices)


def case_rows(cases: Iterable[Any], *, work: bool = False) -> list[CaseRow]:
    """Each case's row: the plain columns, and with `work` the caseload's work columns (`mark_work`'s rows)."""
    url_of = id_url("cases:detail")
    rows: list[CaseRow] = []
    for case in cases:
        row: CaseRow = {
            "url": url_of(case.pk),
            "child": case.child.full_name,
            "service": case.owning_yjs.name,
            "kind": _KINDS.get(case.kind, case.kind),
            "holder": case.case_holder.get_full_name() if case.case_holder_id else "",
            "status": _STATUSES.get(case.status, case.status),
            "closed": case.status == CaseStatus.CLOSED,
            "opened": table_date(case.opened_at),
        }
        if work:
            days = case.days_since_contact
            row["full_record"] = bool(case.full_record)
            row["last_contact"] = table_date(case.last_contact_at)
            row["days_ago"] = f"{days} day{'' if days == 1 else 's'} ago" if days is not None else ""
            row["contact_overdue"] = case.contact_overdue
            row["next_review"] = table_date(case.next_review_on)
            row["review_overdue"] = case.review_overdue
            row["stage"] = case.stage_shown
            row["overdue_actions"] = case.overdue_actions or 0
        rows.append(row)
    return rows


def found_rows(cases: Iterable[Any]) -> list[CaseRow]:
    """The rows of "Find a child" (`cases.selectors.case_search`'s cases): the plain columns, whether the name
    matched as typed, and the date of birth and reference where the person may read the full record."""
    found = list(cases)
    rows = case_rows(found)
    for row, case in zip(rows, found, strict=True):
        row["exact"] = bool(case.exact)
        row["full_record"] = bool(case.full_record)
        row["date_of_birth"] = table_date(case.child.date_of_birth) if case.full_record else ""
        row["reference"] = (case.child.reference or "None") if case.full_record else ""
    return rows
