"""The service administrator's pages of the administration area: agencies and ECM coverage.

Commissioning (which commissioning body sees which services) is managed in `reporting`
(reporting/manage_views.py), since `cases` never imports the apps above it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.models import Agency, Coverage
from cases import access
from cases.manage_forms import AgencyChangeForm, AgencyForm, CoverageForm
from cases.views.manage_people import render_confirmation
from core.http import SignedInRequest, is_post


def require_service_manager(request: SignedInRequest) -> None:
    if not access.may_manage_service(request.user):
        raise PermissionDenied("Only service administrators manage agencies and coverage.")


@login_required
@require_http_methods(["GET"])
def agencies(request: SignedInRequest) -> HttpResponse:
    """Every agency, its kind, whether it is open and how many people have an active role in it."""
    require_service_manager(request)
    listed = Agency.objects.annotate(
        people=Count("memberships", filter=Q(memberships__is_active=True, memberships__user__is_active=True))
    ).order_by("-is_active", "name")
    return render(request, "manage/agencies.html", {"agencies": listed})


@login_required
@require_http_methods(["GET", "POST"])
def agency_add(request: SignedInRequest) -> HttpResponse:
    """Create an agency of a kind (the kind decides which roles its people can have)."""
    require_service_manager(request)
    form = AgencyForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{agency} is created")
            return redirect("manage:agencies")
    return render(request, "manage/agency_add.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def agency_detail(request: SignedInRequest, agency_id: int) -> HttpResponse:
    """Rename an agency and set whether its partner professionals need a second factor."""
    require_service_manager(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    initial = {"name": agency.name, "partner_mfa_required": agency.partner_mfa_required}
    form = AgencyChangeForm(request.POST if is_post(request) else None, initial=initial)
    if is_post(request) and form.is_valid():
        try:
            services.agency_rename(agency=agency, name=form.cleaned_data["name"], actor=request.user)
            services.agency_set_partner_mfa(
                agency=agency, required=form.cleaned_data["partner_mfa_required"], actor=request.user
            )
        except ValidationError as error:
            agency.refresh_from_db()
            form.add_service_errors(error)
        else:
            messages.success(request, f"{agency} is saved")
            return redirect("manage:agencies")
    return render(request, "manage/agency_detail.html", {"agency": agency, "form": form})


def _agency_confirmation(agency: Agency, *, closing: bool) -> dict[str, Any]:
    if closing:
        points = [
            f"Nobody has a role through {agency} until it is opened again: its people lose what that role lets "
            "them see, and someone whose only role is there cannot do anything after signing in.",
            "Its cases, people and history are kept.",
            "You can open it again at any time; its memberships then give their roles back.",
        ]
    else:
        points = [f"The active memberships in {agency} give their roles back."]
    return {
        "heading": f"{'Close' if closing else 'Open'} {agency}?",
        "points": points,
        "button": "Close the agency" if closing else "Open the agency",
        "warning_button": closing,
        "cancel_url": reverse("manage:agency", args=[agency.pk]),
        "back_url": reverse("manage:agencies"),
        "back_label": "Back to agencies",
    }


@login_required
@require_http_methods(["GET", "POST"])
def agency_deactivate(request: SignedInRequest, agency_id: int) -> HttpResponse:
    """Close an agency, after a confirmation."""
    require_service_manager(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    context = _agency_confirmation(agency, closing=True)
    if is_post(request):
        try:
            services.agency_deactivate(agency=agency, actor=request.user)
        except ValidationError as error:
            return render_confirmation(request, context, error)
        messages.success(request, f"{agency} is closed")
        return redirect("manage:agencies")
    return render_confirmation(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def agency_reactivate(request: SignedInRequest, agency_id: int) -> HttpResponse:
    """Open a closed agency again, after a confirmation."""
    require_service_manager(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    context = _agency_confirmation(agency, closing=False)
    if is_post(request):
        services.agency_reactivate(agency=agency, actor=request.user)
        messages.success(request, f"{agency} is open again")
        return redirect("manage:agencies")
    return render_confirmation(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def coverage(request: SignedInRequest) -> HttpResponse:
    """Which ECM clinicians cover which youth justice service; add a line."""
    require_service_manager(request)
    form = CoverageForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            added = services.coverage_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{added.clinician} now covers {added.yjs}")
            return redirect("manage:coverage")
    lines = Coverage.objects.select_related("clinician", "yjs").order_by("yjs__name", "clinician__last_name")
    return render(request, "manage/coverage.html", {"form": form, "lines": lines})


@login_required
@require_http_methods(["GET", "POST"])
def coverage_remove(request: SignedInRequest, coverage_id: int) -> HttpResponse:
    """Stop a clinician covering a service, after a confirmation."""
    require_service_manager(request)
    line = get_object_or_404(Coverage.objects.select_related("clinician", "yjs"), pk=coverage_id)
    context = {
        "heading": f"Stop {line.clinician} covering {line.yjs}?",
        "points": [
            f"{line.clinician} no longer sees {line.yjs}'s ECM cases, referrals or reports.",
            "Cases where they are the named psychologist or senior practitioner keep their name.",
        ],
        "button": "Stop covering",
        "warning_button": True,
        "cancel_url": reverse("manage:coverage"),
        "back_url": reverse("manage:coverage"),
        "back_label": "Back to coverage",
    }
    if is_post(request):
        services.coverage_remove(coverage=line, actor=request.user)
        messages.success(request, f"{line.clinician} no longer covers {line.yjs}")
        return redirect("manage:coverage")
    return render_confirmation(request, context)
