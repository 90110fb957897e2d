"""The Consent panel's forms (issue 17): record consent, record a withdrawal, record a lawful basis to continue
sharing. Thin: the access module fetches the case (404 / 403 and the access log), the services decide
(referrals/consent.py). The panel itself is a section of the case's Details page (referrals/consent_page.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases import access
from cases.access import Action
from cases.access.consent import sharing_state
from cases.capabilities import case_capabilities
from core.http import SignedInRequest, is_post
from referrals import consent
from referrals.consent_forms import ConsentRecordForm, ConsentWithdrawForm, LawfulBasisForm


def _details(case_id: int) -> str:
    return reverse("cases:details", args=[case_id]) + "#consent-heading"


def _page(request: SignedInRequest, template_context: dict[str, Any]) -> HttpResponse:
    return render(request, "referrals/consent_form.html", template_context)


def _who_how_what(form: Any) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "given_by": data["given_by"],
        "given_by_name": data.get("given_by_name", ""),
        "method": data["method"],
        "purposes": list(data["purposes"]),
        "on": data["on"],
        "explanation": data.get("explanation", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def consent_record_view(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Record consent given or refused (again, or changed)."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    caps = case_capabilities(request.user, case)
    form = ConsentRecordForm(request.POST if is_post(request) and caps.is_open else None)
    if is_post(request) and caps.is_open and form.is_valid():
        try:
            consent.consent_record(case=case, actor=request.user, kind=form.cleaned_data["kind"], **_who_how_what(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Consent is recorded")
            return redirect(_details(case.pk))
    return _page(
        request,
        {"case": case, "caps": caps, "form": form, "title": "Record consent", "button": "Record consent"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Record that consent was withdrawn; withdrawing consent to share ends the network's view at once."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    caps = case_capabilities(request.user, case)
    form = ConsentWithdrawForm(request.POST if is_post(request) and caps.is_open else None)
    if is_post(request) and caps.is_open and form.is_valid():
        try:
            consent.consent_withdraw(case=case, actor=request.user, **_who_how_what(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            stopped = " The network no longer sees the shared summary." if sharing_state(case).stopped else ""
            messages.success(request, f"The withdrawal of consent is recorded.{stopped}")
            return redirect(_details(case.pk))
    return _page(
        request,
        {
            "case": case,
            "caps": caps,
            "form": form,
            "title": "Record a withdrawal of consent",
            "button": "Record the withdrawal",
            "withdrawing": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_lawful_basis_view(request: SignedInRequest, case_id: int) -> HttpResponse:
    """A covering senior practitioner records a lawful basis (safeguarding) to go on sharing without consent."""
    case = access.get_case_for(request.user, case_id, Action.CONTINUE_SHARING)
    caps = case_capabilities(request.user, case)
    sharing = sharing_state(case)
    open_to_it = caps.is_open and sharing.stopped
    form = LawfulBasisForm(request.POST if is_post(request) and open_to_it else None)
    if is_post(request) and open_to_it and form.is_valid():
        try:
            consent.sharing_lawful_basis_record(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The lawful basis is recorded. The network sees the shared summary again.")
            return redirect(_details(case.pk))
    return _page(
        request,
        {
            "case": case,
            "caps": caps,
            "form": form,
            "title": "Record a lawful basis to continue sharing",
            "button": "Record the lawful basis",
            "lawful_basis": True,
            "sharing": sharing,
            "open_to_it": open_to_it,
        },
    )
