"""The case page and the changes to the case itself: case holder, closing and reopening."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases import access, sections, selectors, services
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import CaseCloseForm, CaseHolderForm, CaseReopenForm, ChildDetailsForm
from cases.services.rectification import child_field_label
from core.http import SignedInRequest, is_post

# The details that say who the child is: changing them is a correction (cases.views.rectification).
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "reference")


@login_required
@require_GET
def case_detail(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case page: the full record for those who may read it, the shared summary for the network."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    caps = case_capabilities(request.user, case)
    # The counts of the page and of every section in one query (cases.sections).
    facts = sections.read_facts(request.user, case, caps, page=selectors.overview_facts(user=request.user, case=case))
    context = {
        "case": case,
        "caps": caps,
        "overview": selectors.case_overview(user=request.user, case=case, facts=facts.page),
        "sections": sections.render_sections(request, case, caps, facts),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def child_change(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Keep the child's details current (one record for every case the child has)."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    initial = {name: getattr(case.child, name) for name in ChildDetailsForm.FIELDS}
    form = ChildDetailsForm(request.POST if is_post(request) else None, initial=initial)
    if is_post(request) and form.is_valid():
        # Who the child is (name, date of birth, reference) is corrected, never quietly changed: a correction
        # keeps the original and a statement of why, and tells the network (cases.services.child_rectify).
        for name in IDENTITY_FIELDS:
            if form.cleaned_data.get(name) != getattr(case.child, name):
                form.add_error(
                    name,
                    f"To change the {child_field_label(name)}, use “Correct a mistake in "
                    f"{case.child.given_name}'s details”: it keeps the original and asks why it was wrong",
                )
    if is_post(request) and form.is_valid():
        try:
            services.case_child_update(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{case.child.given_name}'s details are saved")
            return redirect(case)
    return render(request, "cases/child_form.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def case_holder_change(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Hand the case to another case manager of the owning service, with a reason."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    case_managers = selectors.case_managers_of(yjs=case.owning_yjs).exclude(pk=case.case_holder_id)
    form = CaseHolderForm(request.POST if is_post(request) else None, case_managers=case_managers)
    if is_post(request) and form.is_valid():
        new_holder = form.cleaned_data["new_holder"]
        try:
            services.case_holder_change(
                case=case, new_holder=new_holder, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{new_holder.get_full_name()} now holds the case")
            return redirect(case)
    context = {
        "case": case,
        "form": form,
        "holders": selectors.holder_history(case=case),
        # A covering senior practitioner (or an administrator) hands on all of a leaver's work at once.
        "caps": case_capabilities(request.user, case),
    }
    return render(request, "cases/case_holder_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_close(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Close the case with a reason, an outcome summary and an ending plan."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = CaseCloseForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            services.case_close(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        except services.StaleState:
            # Someone closed it while this person was typing: keep what they typed, show the closure that stands.
            case.refresh_from_db()
            form.add_error(
                None,
                "Someone else closed this case while you were filling in this form, so your closure was not saved. "
                "Their closure is shown below.",
            )
        else:
            messages.success(request, "The case is closed")
            return redirect(case)
    context = {"case": case, "caps": case_capabilities(request.user, case), "form": form}
    return render(request, "cases/case_close.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_reopen(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Reopen a closed case with a reason. The closure stays in the case's history."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = CaseReopenForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            services.case_reopen(case=case, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        except services.StaleState:
            case.refresh_from_db()
            form.add_error(None, "Someone else reopened this case while you were filling in this form.")
        else:
            messages.success(request, "The case is open again")
            return redirect(case)
    context = {"case": case, "caps": case_capabilities(request.user, case), "form": form}
    return render(request, "cases/case_reopen.html", context)
