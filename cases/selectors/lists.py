"""The case lists: what a row shows, the caseload's sortable work columns, finding a child."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import (
    BooleanField,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cases import access
from cases.access import Action, visible_cases
from cases.list_facts import list_fact_expressions
from cases.models import (
    Case,
    CaseStatus,
    Child,
    Contact,
)
from cases.selectors import matching
from core.db import CompiledSql, compiled_daily
from core.pagination import PAGE_SIZE, CompiledPages

# What a row of a case list shows (the table on the list pages and home, the API's case summary).
CASE_LIST_COLUMNS = (
    "id",
    "kind",
    "status",
    "opened_at",
    "trm_stage",
    "contact_frequency_days",
    "child__given_name",
    "child__family_name",
    "owning_yjs__name",
    "case_holder__first_name",
    "case_holder__last_name",
)

# The caseload's sortable columns: the fields each sorts by, and the direction it offers first (the most
# useful: longest since a contact, soonest review, most overdue actions, newest opened).
CASELOAD_SORTS: dict[str, tuple[tuple[str, ...], str]] = {
    "child": (("child__family_name", "child__given_name"), "ascending"),
    "last_contact": (("last_contact_at",), "ascending"),
    "next_review": (("next_review_on",), "ascending"),
    "trm_stage": (("stage_shown",), "ascending"),
    "overdue_actions": (("overdue_actions",), "descending"),
    "opened": (("opened_at",), "descending"),
}
DEFAULT_CASELOAD_SORT = "-opened"


@dataclass(frozen=True)
class CaseloadSort:
    """The caseload's order: a column and a direction, read from `sort=` ("last_contact", "-opened")."""

    column: str
    descending: bool

    @classmethod
    def parse(cls, value: str) -> CaseloadSort:
        column = value.removeprefix("-")
        if column not in CASELOAD_SORTS:
            column, value = DEFAULT_CASELOAD_SORT.removeprefix("-"), DEFAULT_CASELOAD_SORT
        return cls(column=column, descending=value.startswith("-"))

    @property
    def value(self) -> str:
        return f"-{self.column}" if self.descending else self.column

    def order_by(self) -> list[Any]:
        """The SQL order, then newest first. Empty values come last either way, except a case never
        contacted, which counts as the longest since a contact."""
        fields, _ = CASELOAD_SORTS[self.column]
        never_first = self.column == "last_contact"
        if self.column == "opened":  # never empty: the plain order, which the index `case_list_newest` answers
            return [F("opened_at").desc(), F("pk").desc()] if self.descending else [F("opened_at").asc(), F("pk").asc()]
        if self.descending:
            ordered = [F(name).desc(nulls_last=True) for name in fields]
        else:
            ordered = [
                F(name).asc(nulls_first=True) if never_first else F(name).asc(nulls_last=True) for name in fields
            ]
        return [*ordered, F("opened_at").desc(), F("pk").desc()]


def _last_contact(contacts: QuerySet[Contact]) -> Subquery:
    """The latest of these contacts (one index probe per case row: `cases_contact (case, -occurred_at)`)."""
    latest = contacts.filter(case=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    return Subquery(latest, output_field=DateTimeField())


def _work_column_expressions() -> dict[str, Any]:
    return {
        "last_contact_any": _last_contact(Contact.objects.all()),
        "last_contact_unrestricted": _last_contact(Contact.objects.filter(restricted=False)),
        **list_fact_expressions(),
    }


def _work_column_sql() -> dict[str, CompiledSql]:
    """The SQL of each work column's subquery, compiled once a day (`core.db.compiled_daily`; a fact may depend
    on the date): the ORM built and resolved these on every request for more than it took to run them (issue 14)."""
    compiled = dict(compiled_daily(Case, _work_column_expressions))
    # Without the app that computes them, the columns are empty (and still sortable).
    compiled.setdefault("next_review_on", CompiledSql("NULL::date", (), DateField()))
    compiled.setdefault("overdue_actions", CompiledSql("NULL::integer", (), IntegerField()))
    return compiled


def with_work_columns(user: Any, cases: QuerySet[Case]) -> QuerySet[Any]:
    """The cases with what the caseload shows of the work on them, on the rows whose full record the person
    may read (`full_record`; elsewhere NULL, so sorting does not betray them): `last_contact_at` (restricted
    contacts counted for those who may read them), `stage_shown`, and each registered list fact
    (cases.list_facts: `next_review_on`, `overdue_actions`). Scalar subqueries, read with the rows.

    The columns are raw SQL on the case's own row (`core.db.compile_expression`): `cases` must be a query on the
    case table itself, and its rows are read by a query of their own, never as a subquery (`CaseloadPages`)."""
    columns = _work_column_sql()
    full_sql, full_params = access.row_condition_sql(user, Action.VIEW)
    restricted_sql, restricted_params = access.row_condition_sql(user, Action.VIEW_RESTRICTED)

    def shown(sql: str, params: tuple[Any, ...], output_field: Any) -> RawSQL:
        # Compiled by the ORM (core.db); every value is a parameter.
        return RawSQL(f"CASE WHEN ({full_sql}) THEN ({sql}) END", (*full_params, *params), output_field)  # noqa: S611

    any_contact, unrestricted = columns["last_contact_any"], columns["last_contact_unrestricted"]
    last_contact = (
        f"CASE WHEN ({restricted_sql}) THEN ({any_contact.sql}) ELSE ({unrestricted.sql}) END",
        (*restricted_params, *any_contact.params, *unrestricted.params),
    )
    facts = {
        name: shown(column.sql, column.params, column.output_field)
        for name, column in columns.items()
        if not name.startswith("last_contact_")
    }
    return cases.annotate(
        full_record=RawSQL(f"({full_sql})", full_params, BooleanField()),  # noqa: S611
        last_contact_at=shown(*last_contact, DateTimeField()),
        stage_shown=shown('"cases_case"."trm_stage"', (), IntegerField()),
        **facts,
    )


@dataclass(frozen=True)
class CaseloadFilters:
    """What narrows the caseload (its filters' answers)."""

    status: str = CaseStatus.OPEN
    kind: str = ""
    held_by_me: bool = False
    allocated_to_me: bool = False


def _filtered_cases(user: Any, filters: CaseloadFilters) -> QuerySet[Case]:
    cases = visible_cases(user).select_related("child", "owning_yjs", "case_holder").only(*CASE_LIST_COLUMNS)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.held_by_me:
        cases = cases.filter(case_holder=user)
    if filters.allocated_to_me:
        cases = cases.filter(Q(psychologist=user) | Q(senior_practitioner=user))
    return cases


_NEWEST_FIRST = CaseloadSort.parse(DEFAULT_CASELOAD_SORT)


def _newest_page(user: Any, filters: CaseloadFilters, start: int, size: int) -> QuerySet[Any]:
    """`size` cases of the caseload from `start`, newest first, in one query: their ids a subquery over the case table
    (PostgreSQL would otherwise join every matching case before keeping 50), the rows with their work columns, in
    the same order. Its SQL is compiled once per person's access, filters and page (`CaseloadPages`)."""
    cases = _filtered_cases(user, filters)
    order = _NEWEST_FIRST.order_by()
    page_ids = cases.order_by(*order).values("pk")[start : start + size]
    return with_work_columns(user, cases.filter(pk__in=Subquery(page_ids))).order_by(*order)


class CaseloadPages:
    """The caseload's pages, as `Paginator` reads them: the page's case ids first (over the case table, in the
    caseload's order), then those cases' rows with their work columns, in the same order.

    Newest first (the default), one query, compiled once per person's access and page (`_newest_page`). Sorted
    by a work column, two short queries rather than one with the work columns in a subquery, which their raw SQL
    cannot be."""

    ordered = True

    def __init__(self, user: Any, filters: CaseloadFilters, sort: CaseloadSort) -> None:
        self.user = user
        self.filters = filters
        self.sort = sort

    @functools.cached_property
    def cases(self) -> QuerySet[Case]:
        return _filtered_cases(self.user, self.filters)

    def count(self) -> int:
        key = access.scope_key(self.user)
        return CompiledPages(_filtered_cases, self.user, self.filters, values={}, per_page=PAGE_SIZE, key=key).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("CaseloadPages pages by slices")
        if self.sort == _NEWEST_FIRST:
            # The page is a subquery of the query that reads it, so the page itself is what is compiled (through
            # CompiledPages, with the person's access in its key), for a whole page from its start.
            start = index.start or 0
            size = max(PAGE_SIZE, index.stop - start)
            key = access.scope_key(self.user)
            page = CompiledPages(_newest_page, self.user, self.filters, start, size, values={}, per_page=size, key=key)
            return page[0 : index.stop - start]
        order = self.sort.order_by()
        ids = list(with_work_columns(self.user, self.cases).order_by(*order).values_list("pk", flat=True)[index])
        rows = {case.pk: case for case in with_work_columns(self.user, self.cases.filter(pk__in=ids))}
        return [rows[pk] for pk in ids if pk in rows]  # a case closed or merged between the two reads drops out


@overload
def case_list(
    *,
    user: Any,
    status: str = ...,
    held_by_me: bool = ...,
    allocated_to_me: bool = ...,
    kind: str = ...,
    sort: None = ...,
) -> QuerySet[Case]: ...


@overload
def case_list(
    *,
    user: Any,
    status: str = ...,
    held_by_me: bool = ...,
    allocated_to_me: bool = ...,
    kind: str = ...,
    sort: CaseloadSort,
) -> CaseloadPages: ...


def case_list(
    *,
    user: Any,
    status: str = CaseStatus.OPEN,
    held_by_me: bool = False,
    allocated_to_me: bool = False,
    kind: str = "",
    sort: CaseloadSort | None = None,
) -> QuerySet[Case] | CaseloadPages:
    """The person's visible cases for list pages, newest first, with what the rows show (and only that:
    `cases/includes/case_table.html` and the API's case summary).

    `sort`: the caseload's order, and pages whose rows carry the work columns too (`CaseloadPages`)."""
    filters = CaseloadFilters(status=status, kind=kind, held_by_me=held_by_me, allocated_to_me=allocated_to_me)
    if sort is None:
        return _filtered_cases(user, filters).order_by("-opened_at", "-pk")
    return CaseloadPages(user, filters, sort)


# A case list's rows as the API's case summary reads them (cases.api): values, not records, for 50 rows a page.
CASE_SUMMARY_VALUES = (
    "id",
    "child__given_name",
    "child__family_name",
    "owning_yjs__name",
    "case_holder__first_name",
    "case_holder__last_name",
    "status",
    "opened_at",
)


def case_summaries(*, user: Any, filters: CaseloadFilters) -> QuerySet[Any]:
    """`case_list` as dicts of `CASE_SUMMARY_VALUES`."""
    return _case_summaries(user, filters, ("-opened_at", "-pk"))


def case_summaries_first(
    *, user: Any, filters: CaseloadFilters, ordering: tuple[str, ...], rows: int
) -> list[dict[str, Any]]:
    """The first `rows` of `case_summaries` in `ordering` (the API's first page), from SQL compiled once per
    person's access, filters and order (core.pagination.CompiledPages)."""
    pages = CompiledPages(
        _case_summaries, user, filters, ordering, values={}, per_page=rows, key=access.scope_key(user)
    )
    return pages[0:rows]


def _case_summaries(user: Any, filters: CaseloadFilters, ordering: tuple[str, ...]) -> QuerySet[Any]:
    return _filtered_cases(user, filters).order_by(*ordering).values(*CASE_SUMMARY_VALUES)


def days_since(moment: dt.datetime | None, today: dt.date | None = None) -> int | None:
    """Whole days from a moment (in UK dates) to today."""
    if moment is None:
        return None
    return ((today or timezone.localdate()) - timezone.localdate(moment)).days


def mark_work(cases: Iterable[Any], today: dt.date | None = None) -> list[Any]:
    """The rows of `with_work_columns` with what their cells say, in Python (no query): `days_since_contact`,
    `contact_overdue` (more days than the case's contact frequency since the last contact, or since it
    opened when there has been none) and `review_overdue`."""
    today = today or timezone.localdate()
    marked = list(cases)
    for case in marked:
        case.days_since_contact = days_since(case.last_contact_at, today)
        since = case.days_since_contact if case.last_contact_at else days_since(case.opened_at, today)
        case.contact_overdue = bool(
            case.full_record and case.is_open and since is not None and since > case.contact_frequency_days
        )
        case.review_overdue = bool(case.is_open and case.next_review_on and case.next_review_on < today)
    return marked


def case_search(*, user: Any, text: str = "", date_of_birth: dt.date | None = None) -> QuerySet[Case]:
    """Cases whose child matches a name, a date of birth or a reference, among the person's visible cases.

    One query. Names match on every case the person may see, near-duplicates included ("Brenan" finds
    Brennan, "Kay" finds Kai: cases.selectors.matching); a date of birth (or one typed a little wrong) or
    a reference matches only where the person may read the full record, so a partner who sees a shared
    summary cannot confirm identifiers the summary leaves out. Closest first. Each row carries
    `full_record` and `exact` (the name as typed, or the very date of birth).
    """
    # The full record as a condition on the case's own row (plain ids, no subquery over every visible case).
    full_record = access.row_condition(user, Action.VIEW)
    if date_of_birth is not None:
        condition = matching.birth_matches(date_of_birth, prefix="child__") & full_record
        exact: Any = Q(child__date_of_birth=date_of_birth)
        closest: list[Any] = []
    else:
        names = matching.name_matches(text)
        if names is None:
            return Case.objects.none()
        # The children are found first, by the name and reference indexes (a few hundred of the country's), then
        # their cases among those the person sees: testing the names on every visible case's child instead read
        # each of 5,000 children's names and sounds (3.4 times the floor for "Find a child", issue 14).
        by_name = Q(child_id__in=Child.objects.filter(names).values("pk"))
        by_reference = Q(child_id__in=Child.objects.filter(reference__iexact=text.strip()).values("pk")) & full_record
        condition = by_name | by_reference
        exact = Q()
        for word in text.split():
            exact &= Q(child__given_name__icontains=word) | Q(child__family_name__icontains=word)
        closest = [matching.closeness(text, prefix="child__").desc()]
    return (
        visible_cases(user)
        .filter(condition, merged_into__isnull=True)
        .annotate(
            full_record=matching.flag(full_record),
            exact=matching.flag(exact),
        )
        .select_related("child", "owning_yjs", "case_holder")
        .order_by(F("exact").desc(), *closest, "child__family_name", "child__given_name", "-opened_at", "-pk")
    )


def open_case_count() -> int:
    """How many ECM cases are open across every service (an aggregate: no child is identified)."""
    return Case.objects.filter(status=CaseStatus.OPEN).count()
