"""Thin HTML views for triaging referrals (journey 2): the queue, the decision, and a consent override."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import LIST_TRIAGE, list_view_record
from cases.access import Action
from cases.services import StaleState
from referrals.forms import (
    ConsentOverrideForm,
    TriageDecisionForm,
)
from referrals.models import Referral, ReferralStatus
from referrals.rows import triage_rows
from referrals.selectors import (
    get_referral_for,
    get_referral_for_consent_override,
    may_triage,
    triage_queue_pages,
)
from referrals.services import (
    referral_override_consent,
    referral_triage,
)
from referrals.views import PAGE_SIZE, add_errors, detail_context, page_of, person_of


@login_required
@require_http_methods(["GET", "POST"])
def referral_consent_override(request: HttpRequest, referral_id: int) -> HttpResponse:
    """A covering senior practitioner records why a draft may go ahead without full consent."""
    user = person_of(request)
    referral = get_referral_for_consent_override(user, referral_id)
    form = ConsentOverrideForm(request.POST or None)
    can_override = referral.status == ReferralStatus.DRAFT
    if request.method == "POST" and can_override and form.is_valid():
        try:
            referral_override_consent(referral=referral, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        except StaleState as error:
            messages.info(request, str(error))
            return redirect("referrals:consent_override", referral_id=referral.pk)
        else:
            messages.success(
                request,
                f"Consent override recorded. {referral.referrer.get_full_name()} can now submit the referral.",
            )
            return redirect("referrals:consent_override", referral_id=referral.pk)
    return render(
        request,
        "referrals/consent_override.html",
        {"referral": referral, "form": form, "can_override": can_override},
    )


# Journey 2: triage.


@login_required
@require_GET
def triage_queue_view(request: HttpRequest) -> HttpResponse:
    """Submitted referrals of the services the person covers, urgent ones first, then the longest waiting."""
    user = person_of(request)
    if not may_triage(user):
        raise PermissionDenied("The triage queue is for the ECM psychologists and senior practitioners.")
    page, querystring = page_of(request, triage_queue_pages(user, per_page=PAGE_SIZE))
    rows = triage_rows(page.object_list, timezone.localdate())
    list_view_record(
        user=user,
        list_name=LIST_TRIAGE,
        case_ids=[row["case_id"] for row in rows],
        referral_ids=[row["referral_id"] for row in rows],
    )
    return render(
        request,
        "referrals/triage_queue.html",
        {"page_obj": page, "rows": rows, "querystring_without_page": querystring},
    )


@login_required
@require_POST
def referral_triage_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Record the triage decision. Of two people deciding at once, the second is told and changes nothing."""
    user = person_of(request)
    referral = get_referral_for(user, referral_id, Action.TRIAGE_REFERRAL)
    if referral.status != ReferralStatus.SUBMITTED:
        return _already_decided(request, referral)
    form = TriageDecisionForm(request.POST, referral=referral)
    if form.is_valid():
        try:
            case = referral_triage(referral=referral, actor=user, **form.service_arguments())
        except ValidationError as error:
            add_errors(form, error)
        except StaleState:
            return _already_decided(request, referral)
        else:
            referral.refresh_from_db()
            decision = referral.get_decision_display()
            messages.success(request, f"Decision recorded for {referral.child.full_name}: {decision}.")
            return redirect(case if case is not None else reverse("referrals:triage_queue"))
    return render(request, "referrals/detail.html", detail_context(request, referral, form))


def _already_decided(request: HttpRequest, referral: Referral) -> HttpResponse:
    referral.refresh_from_db()
    decided_by = referral.decided_by.get_full_name() if referral.decided_by else "someone else"
    messages.warning(
        request,
        f"This referral has already been decided by {decided_by} ({referral.get_decision_display()}). "
        "Your decision was not recorded and nothing was changed.",
    )
    return redirect(referral)
