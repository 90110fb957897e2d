"""Lists of cases: "My caseload", "ECM cases", search, and the access logs."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.audit import LIST_CASELOAD, access_event_record, list_view_record
from accounts.audit_words import event_in_words
from accounts.forms import AccessLogFilterForm
from accounts.models import CLINICIAN_ROLES, AccessAction, Role
from accounts.selectors import access_events, roles_of
from cases import access
from cases.access import Action
from cases.forms import CaseListFilterForm, CaseSearchForm
from cases.models import CaseStatus
from cases.rows import case_rows, found_rows
from cases.selectors import (
    CASELOAD_SORTS,
    DEFAULT_CASELOAD_SORT,
    CaseloadSort,
    case_list,
    case_search,
    mark_work,
)
from core.db import without_jit
from core.http import SignedInRequest
from core.pagination import CountedWithPage, keyset_paginate, paginate
from core.ratelimit import rate_limited

LIST_FILTERS = ("status", "kind", "mine")


def _list_heading(roles: set[str]) -> tuple[str, str]:
    """The page's name for this person, and what "only my cases" means for them."""
    if Role.CASE_MANAGER in roles:
        return "My caseload", "Only cases I hold"
    if roles & CLINICIAN_ROLES:
        return "ECM cases", "Only cases allocated to me"
    if Role.PARTNER in roles:
        return "Shared cases", ""
    return "Cases", ""


# The caseload's columns in order: (sort key or "" for a column that does not sort, heading).
CASELOAD_COLUMNS = (
    ("child", "Child"),
    ("last_contact", "Last contact"),
    ("next_review", "Next review"),
    ("trm_stage", "TRM stage"),
    ("overdue_actions", "Overdue actions"),
    ("", "Case holder"),
    ("", "Status"),
    ("opened", "Opened"),
)


def sort_columns(request: SignedInRequest, sort: CaseloadSort) -> list[dict[str, str]]:
    """Each column's heading with, where it sorts, the link that sorts by it (the GOV.UK/MoJ sortable
    table without JavaScript: `aria-sort` on the sorted column, the link flips its direction)."""
    query = request.GET.copy()
    query.pop("page", None)
    columns = []
    for key, label in CASELOAD_COLUMNS:
        column = {"key": key, "label": label, "aria_sort": "", "href": ""}
        if key:
            if key == sort.column:
                column["aria_sort"] = "descending" if sort.descending else "ascending"
                descending = not sort.descending
            else:
                column["aria_sort"] = "none"
                descending = CASELOAD_SORTS[key][1] == "descending"
            query["sort"] = f"-{key}" if descending else key
            column["href"] = "?" + query.urlencode()
            column["next"] = "descending" if descending else "ascending"
        columns.append(column)
    return columns


def sort_caption(sort: CaseloadSort) -> str:
    """The table's caption: how the cases are ordered, in words."""
    label = dict(CASELOAD_COLUMNS)[sort.column].lower()
    if sort.column == "opened":
        return "Cases, newest first" if sort.descending else "Cases, oldest first"
    return f"Cases by {label}, {'descending' if sort.descending else 'ascending'}"


@login_required
@require_GET
def case_list_view(request: SignedInRequest) -> HttpResponse:
    """A case manager's caseload (theirs, or their service's), a clinician's ECM cases, a partner's shared cases."""
    roles = roles_of(request.user)
    heading, mine_label = _list_heading(roles)
    is_case_manager = Role.CASE_MANAGER in roles
    # Until the filters are submitted, a case manager sees the cases they hold; everyone else all they may see.
    submitted = any(name in request.GET for name in LIST_FILTERS)
    form = CaseListFilterForm(request.GET if submitted else None, initial={"status": "open", "mine": is_case_manager})
    filters: dict[str, Any] = {"status": CaseStatus.OPEN, "kind": "", "mine": is_case_manager}
    if submitted and form.is_valid():
        filters = form.cleaned_data
    mine = bool(filters.get("mine")) and bool(mine_label)
    sort = CaseloadSort.parse(request.GET.get("sort", ""))
    cases = case_list(
        user=request.user,
        status=filters.get("status") or "",
        kind=filters.get("kind") or "",
        held_by_me=mine and is_case_manager,
        allocated_to_me=mine and not is_case_manager,
        sort=sort,
    )
    context: dict[str, Any] = {
        "form": form,
        "heading": heading,
        "mine_label": mine_label,
        "mine": mine,
        "status": filters.get("status") or "",
        "sort": sort,
        "sort_columns": sort_columns(request, sort),
        "sort_caption": sort_caption(sort),
    }
    # Sorted by a column computed per row, every visible case is computed: no JIT for that (core.db).
    with nullcontext() if sort.value == DEFAULT_CASELOAD_SORT else without_jit():
        context.update(paginate(request, cases))
    context["page_obj"].object_list = mark_work(context["page_obj"].object_list)
    context["rows"] = case_rows(context["page_obj"].object_list, work=True)
    list_view_record(
        user=request.user, list_name=LIST_CASELOAD, case_ids=[case.pk for case in context["page_obj"].object_list]
    )
    return render(request, "cases/case_list.html", context)


@login_required
@require_GET
def case_search_view(request: SignedInRequest) -> HttpResponse:
    """Find a child by name, date of birth or reference among the cases the person may see."""
    form = CaseSearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_bound and (limited := rate_limited(request, "search", per="person")) is not None:
        return limited
    if form.is_bound and form.is_valid():
        results = case_search(user=request.user, text=form.cleaned_data["q"], date_of_birth=form.date_of_birth)
        context.update(searched=True, **paginate(request, CountedWithPage(results, number=request.GET.get("page"))))
        # The search itself is a read of children's records: one event names the cases on the page shown;
        # the terms are left out, as they may name a child.
        page = context["page_obj"]
        context["rows"] = found_rows(page.object_list)
        access_event_record(
            user=request.user,
            action=AccessAction.SEARCH,
            record_type="case search",
            description=f"{page.paginator.count} cases found",
            case_ids=[case.pk for case in page.object_list],
        )
    return render(request, "cases/case_search.html", context)


@login_required
@require_GET
def case_access_log(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Who can see this case now and why, and who has looked at it: for everyone who may see the case in full."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_ACCESS_LOG)
    events = access_events(case_id=case.pk)
    context = {"case": case, "viewers": access.who_can_see(case), **keyset_paginate(request, events, field="at")}
    # Each event in plain words ("viewed the contacts", "saw this case in the caseload"), never its codes.
    context["looked"] = [(event, event_in_words(event)) for event in context["page_obj"].object_list]
    return render(request, "cases/case_access_log.html", context)


@login_required
@require_GET
def access_log(request: SignedInRequest) -> HttpResponse:
    """The whole access log, for service administrators. Read-only: nothing here edits or deletes."""
    if not access.may_read_whole_access_log(request.user):
        raise PermissionDenied("Only service administrators read the whole access log.")
    form = AccessLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = access_events(
        user_query=filters.get("person") or "",
        case_id=filters.get("case"),
        action=filters.get("action") or "",
    )
    return render(request, "cases/access_log.html", {"form": form, **keyset_paginate(request, events, field="at")})
