"""Commissioning in the administration area (/manage/commissioning/): which commissioning body sees which
youth justice services' aggregate figures. For service administrators only; no child appears here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Commissioning
from cases import access
from cases.views.manage_people import render_confirmation
from core.http import SignedInRequest, is_post
from reporting import services
from reporting.forms import CommissioningForm


def _require_service_manager(request: SignedInRequest) -> None:
    if not access.may_manage_service(request.user):
        raise PermissionDenied("Only service administrators manage commissioning.")


@login_required
@require_http_methods(["GET", "POST"])
def commissioning(request: SignedInRequest) -> HttpResponse:
    """The commissioning lines, and a form to add one."""
    _require_service_manager(request)
    form = CommissioningForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            line = services.commissioning_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{line.commissioner_agency} now commissions ECM for {line.yjs}")
            return redirect("reporting:commissioning")
    lines = Commissioning.objects.select_related("commissioner_agency", "yjs")
    return render(request, "manage/commissioning.html", {"form": form, "lines": lines})


@login_required
@require_http_methods(["GET", "POST"])
def commissioning_remove(request: SignedInRequest, commissioning_id: int) -> HttpResponse:
    """Remove a commissioning line, after a confirmation."""
    _require_service_manager(request)
    line = get_object_or_404(Commissioning.objects.select_related("commissioner_agency", "yjs"), pk=commissioning_id)
    context = {
        "heading": f"Stop {line.commissioner_agency} commissioning ECM for {line.yjs}?",
        "points": [f"{line.commissioner_agency}'s commissioners no longer see {line.yjs}'s figures in their reports."],
        "button": "Remove",
        "warning_button": True,
        "cancel_url": reverse("reporting:commissioning"),
        "back_url": reverse("reporting:commissioning"),
        "back_label": "Back to commissioning",
    }
    if is_post(request):
        services.commissioning_remove(commissioning=line, actor=request.user)
        messages.success(request, f"{line.commissioner_agency} no longer commissions ECM for {line.yjs}")
        return redirect("reporting:commissioning")
    return render_confirmation(request, context)
