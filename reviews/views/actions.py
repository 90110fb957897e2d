"""Action pages: "My actions" for everyone who owns actions, one action with its progress, and
posting progress on it.

An action's owner reaches it while they see its case at all (a partner professional through the
shared summary); otherwise reading it needs the case's full record and posting progress needs a
covering clinician (reviews/selectors.py `action_for`, through the access module).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import LIST_ACTIONS, list_view_record
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from reviews import action_selectors as selectors
from reviews import services
from reviews.capabilities import action_capabilities
from reviews.forms import ActionProgressForm
from reviews.rows import action_rows

ACTIONS_PER_PAGE = 50


@login_required
@require_GET
def my_actions(request: SignedInRequest) -> HttpResponse:
    """The signed-in person's open actions, soonest due first.

    One person's open actions are tens, not thousands: read in one plain query, which PostgreSQL plans in half the
    time of an ids-first form (the caseload's, for lists over thousands of cases), compiled once
    per person's access and page (issue 14)."""
    context = {
        "today": timezone.localdate(),
        **paginate(request, selectors.my_action_pages(user=request.user, per_page=ACTIONS_PER_PAGE), ACTIONS_PER_PAGE),
    }
    context["rows"] = action_rows(context["page_obj"].object_list, context["today"])
    list_view_record(
        user=request.user,
        list_name=LIST_ACTIONS,
        case_ids=[action.case_id for action in context["page_obj"].object_list],
    )
    return render(request, "reviews/action_list.html", context)


@login_required
@require_GET
def action_detail(request: SignedInRequest, action_id: int) -> HttpResponse:
    """One action: what, who, when, where it comes from, and every progress note."""
    action = selectors.action_for(user=request.user, action_id=action_id, purpose="read")
    context = {
        "case": action.case,
        "action": action,
        "owner": selectors.owner_label(action),
        "origin": selectors.action_origin(action),
        "notes": getattr(action, "notes", []),
        "caps": action_capabilities(request.user, action),
        "today": timezone.localdate(),
    }
    return render(request, "reviews/action_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def action_progress(request: SignedInRequest, action_id: int) -> HttpResponse:
    """Post progress on an action: its status now and what has happened."""
    action = selectors.action_for(user=request.user, action_id=action_id, purpose="progress")
    if not selectors.may_progress(request.user, action):
        messages.error(request, "The case is closed: its actions can no longer be updated")
        return redirect("reviews:action_detail", action.pk)
    form = ActionProgressForm(request.POST if is_post(request) else None, initial={"status": action.status})
    if is_post(request) and form.is_valid():
        try:
            services.action_progress_add(
                action=action,
                actor=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Progress saved")
            return redirect("reviews:action_detail", action.pk)
    context = {"case": action.case, "action": action, "owner": selectors.owner_label(action), "form": form}
    return render(request, "reviews/action_progress.html", context)
