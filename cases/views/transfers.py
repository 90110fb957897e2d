"""Transfers between youth justice services (issue 17): offering a case, withdrawing the offer, the receiving
service's list and decision, and what a former service recorded while it held a case.

Every page goes through the access module: the case pages with `get_case_for` (CHANGE to offer or withdraw,
READ_FORMER_RECORDS for the former service), the offers with `get_transfer_for` (the receiving service only).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import list_view_record
from cases import access, selectors
from cases.access import Action
from cases.access.former import read_days
from cases.access.standing import standing_of
from cases.capabilities import case_capabilities
from cases.forms.transfers import TransferAcceptForm, TransferDeclineForm, TransferOfferForm
from cases.models import Case, CaseHolding, TransferStatus
from cases.selectors import transfers as transfer_selectors
from cases.services import StaleState
from cases.services import transfers as transfer_services
from core.http import SignedInRequest, is_post

LIST_LIMIT = 50


@login_required
@require_http_methods(["GET", "POST"])
def transfer_offer(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Offer the case to another youth justice service (or see the offer waiting, and every earlier one)."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    caps = case_capabilities(request.user, case)
    pending = transfer_selectors.pending_transfer(case=case)
    form = TransferOfferForm(
        request.POST if is_post(request) else None, services=transfer_selectors.services_to_offer(case=case)
    )
    if is_post(request) and form.is_valid():
        try:
            transfer = transfer_services.transfer_offer(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Case offered to {transfer.to_yjs.name}")
            return redirect("cases:transfer_offer", case.pk)
    context = {
        "case": case,
        "caps": caps,
        "form": form,
        "pending": pending,
        "transfers": list(transfer_selectors.transfers_of(case=case)),
        "read_days": read_days(),
    }
    return render(request, "cases/transfer_offer.html", context)


@login_required
@require_POST
def transfer_withdraw(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Take back the case's pending offer."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    pending = transfer_selectors.pending_transfer(case=case)
    if pending is None:
        messages.info(request, "There is no offer waiting to withdraw")
        return redirect("cases:transfer_offer", case.pk)
    try:
        transfer_services.transfer_withdraw(transfer=pending, actor=request.user)
    except StaleState:
        messages.info(request, "The other service decided on the offer before it could be withdrawn")
    else:
        messages.success(request, f"Offer to {pending.to_yjs.name} withdrawn")
    return redirect("cases:transfer_offer", case.pk)


@login_required
@require_GET
def transfer_list(request: SignedInRequest) -> HttpResponse:
    """Offers made to the person's services (waiting ones first), offers of the cases they may change, and the
    cases that moved away from their service that it still reads."""
    pending_first = SqlCase(
        When(status=TransferStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    related = ("case__child", "from_yjs", "to_yjs", "offered_by", "decided_by")
    incoming = list(
        access.offers_to(request.user)
        .select_related(*related)
        .order_by(pending_first, "-offered_at", "-pk")[:LIST_LIMIT]
    )
    outgoing = list(
        access.offers_from(request.user).select_related(*related).order_by("-offered_at", "-pk")[:LIST_LIMIT]
    )
    former_ids = sorted(standing_of(request.user).former_cases)
    former = list(
        CaseHolding.objects.filter(case_id__in=former_ids, ended_at__isnull=False)
        .select_related("case__child", "agency")
        .order_by("-ended_at", "-pk")[:LIST_LIMIT]
    )
    list_view_record(
        user=request.user,
        list_name="transfers between services",
        case_ids=[transfer.case_id for transfer in [*incoming, *outgoing]] + [spell.case_id for spell in former],
    )
    context = {"incoming": incoming, "outgoing": outgoing, "former": former, "read_days": read_days()}
    return render(request, "cases/transfer_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_detail(request: SignedInRequest, transfer_id: int) -> HttpResponse:
    """One offer to the person's service: accept it (choosing the holder) or decline it (with a reason)."""
    transfer = access.get_transfer_for(request.user, transfer_id)
    case_managers = selectors.case_managers_of(yjs=transfer.to_yjs)
    decision = request.POST.get("decision") if is_post(request) else None
    accept_form = TransferAcceptForm(request.POST if decision == "accept" else None, case_managers=case_managers)
    decline_form = TransferDeclineForm(
        request.POST if is_post(request) and decision != "accept" else None  # an empty post: the decline's errors
    )
    form = accept_form if decision == "accept" else decline_form
    if is_post(request) and not transfer.is_pending:
        form.add_error(None, transfer_services.NOT_PENDING.format(status=transfer.get_status_display().lower()))
    elif is_post(request) and form.is_valid():
        try:
            if decision == "accept":
                transfer_services.transfer_accept(
                    transfer=transfer, actor=request.user, new_holder=accept_form.cleaned_data["new_holder"]
                )
            else:
                transfer_services.transfer_decline(
                    transfer=transfer, actor=request.user, reason=decline_form.cleaned_data["decline_reason"]
                )
        except ValidationError as error:
            form.add_service_errors(error)
        except StaleState:
            transfer.refresh_from_db()
            form.add_error(None, transfer_services.NOT_PENDING.format(status=transfer.get_status_display().lower()))
        else:
            if decision == "accept":
                messages.success(request, f"Case {transfer.case_id} moved to {transfer.to_yjs.name}")
                return redirect(Case(pk=transfer.case_id).get_absolute_url())
            messages.success(request, f"Offer of case {transfer.case_id} declined")
            return redirect("cases:transfers")
    context = {
        "transfer": transfer,
        "child": transfer.case.child,
        "form": form,
        "accept_form": accept_form,
        "decline_form": decline_form,
        "error_anchor": "decision-heading",
    }
    return render(request, "cases/transfer_detail.html", context)


@login_required
@require_GET
def former_records(request: SignedInRequest, case_id: int) -> HttpResponse:
    """For a service the case moved away from: the contacts and chronology recorded while it held the case, read
    only, until its read access ends."""
    case = access.get_case_for(request.user, case_id, Action.READ_FORMER_RECORDS)
    spells = transfer_selectors.former_spells(user=request.user, case=case)
    context = {
        "case": case,
        "spells": spells,
        "contacts": list(transfer_selectors.former_contacts(case=case, spells=spells)[:500]),
        "events": list(transfer_selectors.former_events(case=case, spells=spells)[:500]),
    }
    return render(request, "cases/former_records.html", context)
