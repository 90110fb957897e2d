"""Contacts with the child, family and professionals: the list, one short form, and corrections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import access, selectors, services
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import ContactCorrectionForm, ContactForm
from cases.models import Case, Contact
from core.http import SignedInRequest, is_post
from core.pagination import paginate

CONTACTS_PER_PAGE = 25


@login_required
@require_GET
def contact_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's contacts, newest first; restricted ones only for the case holder and the ECM clinicians."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    contacts = selectors.contact_pages(user=request.user, case=case, per_page=CONTACTS_PER_PAGE)
    caps = case_capabilities(request.user, case)
    context = {"case": case, "caps": caps, **paginate(request, contacts, CONTACTS_PER_PAGE)}
    context["page_obj"].object_list = selectors.present_contacts(
        case=case, contacts=context["page_obj"].object_list, link=True, correct=caps.log_contact
    )
    return render(request, "cases/contact_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Log one contact in one short form."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = ContactForm(request.POST if is_post(request) else None, initial={"occurred_on": timezone.localdate()})
    if is_post(request) and form.is_valid():
        try:
            contact = services.contact_log(case=case, actor=request.user, **form.contact_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            restricted = " (restricted note)" if contact.restricted else ""
            significant = ", marked as a significant event" if contact.significant else ""
            messages.success(request, f"Contact logged{restricted}{significant}")
            return redirect("cases:contacts", case.pk)
    return render(request, "cases/contact_form.html", {"case": case, "form": form})


@login_required
@require_GET
def contact_detail(request: SignedInRequest, case_id: int, contact_id: int) -> HttpResponse:
    """One contact with its corrections (a restricted one is not found by those who may not read it)."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    contact = _contact_of(request, case, contact_id)
    caps = case_capabilities(request.user, case)
    rows = selectors.present_contacts(case=case, contacts=[contact], correct=caps.log_contact, mark=caps.log_contact)
    context = {"case": case, "contact": contact, "rows": rows, "caps": caps}
    return render(request, "cases/contact_detail.html", context)


@login_required
@require_POST
def contact_significant(request: SignedInRequest, case_id: int, contact_id: int) -> HttpResponse:
    """Mark a contact as a significant event (`significant=yes`) or take the mark off (`no`); kept in the
    contact's history with who changed it. Back to the contact."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    contact = _contact_of(request, case, contact_id)
    choice = request.POST.get("significant", "")
    if choice not in {"yes", "no"}:
        return HttpResponseBadRequest("Say whether the contact is a significant event.")
    try:
        services.contact_mark_significant(contact=contact, actor=request.user, significant=choice == "yes")
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        done = "marked as a significant event" if choice == "yes" else "no longer marked as significant"
        messages.success(request, f"The contact is {done}")
    return redirect("cases:contact_detail", case.pk, contact.pk)


@login_required
@require_http_methods(["GET", "POST"])
def contact_correct(request: SignedInRequest, case_id: int, contact_id: int) -> HttpResponse:
    """Add a correction or addition beneath a contact; the original note is never rewritten."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    contact = _contact_of(request, case, contact_id)
    rows = selectors.present_contacts(case=case, contacts=[contact])
    form = ContactCorrectionForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            services.contact_correct(
                contact=contact, actor=request.user, text=form.cleaned_data["text"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Correction added. The original note is kept above it.")
            return redirect("cases:contact_detail", case.pk, contact.pk)
    context = {"case": case, "contact": contact, "rows": rows, "form": form}
    return render(request, "cases/contact_correct.html", context)


def _contact_of(request: SignedInRequest, case: Case, contact_id: int) -> Contact:
    """One of the case's contacts the person may read (404 otherwise), with its corrections as rows."""
    contacts = selectors.contacts_for(user=request.user, case=case, correction_rows=True)
    return get_object_or_404(contacts, pk=contact_id)
