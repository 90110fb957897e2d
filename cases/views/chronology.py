"""The chronology: one timeline of everything on the case, filtered to what the person may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import access, selectors
from cases.access import Action
from cases.forms import ChronologyFilterForm
from core.http import SignedInRequest
from core.pagination import keyset_paginate


@login_required
@require_GET
def chronology(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Newest first, filterable by kind, 50 at a time (newer, older); lines the person may not see are left out."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    form = ChronologyFilterForm(request.GET if "kind" in request.GET else None)
    kinds = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else []
    events = selectors.chronology(user=request.user, case=case, kinds=kinds)
    context = {
        "case": case,
        "form": form,
        "kinds": kinds,
        "total": events.count(),
        **keyset_paginate(request, events, field="occurred_at"),
    }
    selectors.link_events(case=case, events=context["page_obj"].object_list)
    return render(request, "cases/chronology.html", context)
