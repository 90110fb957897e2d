"""Thin HTML views for case lists, the case page and the access logs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.forms import AccessLogFilterForm
from accounts.models import Role
from accounts.selectors import access_events, active_memberships
from cases import access
from cases.forms import CaseListFilterForm
from cases.models import CaseStatus
from cases.selectors import case_list

PAGE_SIZE = 50


def _page(request: HttpRequest, items: Any) -> tuple[Page, str]:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return page, (query.urlencode() + "&") if query else ""


@login_required
@require_GET
def case_list_view(request: HttpRequest) -> HttpResponse:
    form = CaseListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {"status": CaseStatus.OPEN, "mine": False}
    cases = case_list(user=request.user, status=filters.get("status", ""), held_by_me=bool(filters.get("mine")))
    page, querystring = _page(request, cases)
    is_case_manager = Role.CASE_MANAGER in {m.role for m in active_memberships(request.user)}
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring,
            "is_case_manager": is_case_manager,
        },
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page: the full record for those who may read it, the shared summary for the network."""
    case = access.get_case_for(request.user, case_id, "view_summary")
    context = {
        "case": case,
        "full_record": access.may(request.user, "view", case),
        "may_see_access_log": access.may(request.user, "view_access_log", case),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_GET
def case_access_log(request: HttpRequest, case_id: int) -> HttpResponse:
    """Who has looked at this case: for everyone who may see the case in full."""
    case = access.get_case_for(request.user, case_id, "view_access_log")
    page, querystring = _page(request, access_events(case_id=case.pk))
    return render(
        request,
        "cases/case_access_log.html",
        {"case": case, "page_obj": page, "querystring_without_page": querystring},
    )


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
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
    page, querystring = _page(request, events)
    return render(
        request,
        "cases/access_log.html",
        {"form": form, "page_obj": page, "querystring_without_page": querystring},
    )
