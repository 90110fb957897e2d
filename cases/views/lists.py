"""Lists of cases: "My caseload", "ECM cases", search, and the access logs."""

from __future__ import annotations

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
from cases.selectors import case_list, case_search
from core.http import SignedInRequest
from core.pagination import IdsFirst, keyset_paginate, paginate
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
    cases = case_list(
        user=request.user,
        status=filters.get("status") or "",
        kind=filters.get("kind") or "",
        held_by_me=mine and is_case_manager,
        allocated_to_me=mine and not is_case_manager,
    )
    context = {
        "form": form,
        "heading": heading,
        "mine_label": mine_label,
        "mine": mine,
        "status": filters.get("status") or "",
        **paginate(request, IdsFirst(cases)),
    }
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
        context.update(searched=True, **paginate(request, IdsFirst(results)))
        # The search itself is a read of children's records: one event names the cases on the page shown;
        # the terms are left out, as they may name a child.
        page = context["page_obj"]
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
