"""The case's pages (the overview and its sub-pages) and the changes to the case itself: case holder,
closing and reopening. The sub-navigation between the pages is templates/cases/includes/case_subnav.html."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases import access, sections, selectors, services
from cases.access import Action
from cases.access.consent import sharing_state
from cases.capabilities import case_capabilities
from cases.forms import CaseCloseForm, CaseHolderForm, CaseReopenForm, ChildDetailsForm
from cases.services.rectification import child_field_label
from core.dates import age_on
from core.http import SignedInRequest, is_post

# The details that say who the child is: changing them is a correction (cases.views.rectification).
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "reference")


@login_required
@require_GET
def case_detail(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's overview: what is going on at a glance and the things to do next, for those who read the full
    record (the rest is on the sub-pages); the shared summary, on one page, for the network."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    caps = case_capabilities(request.user, case)
    # The page's facts and the sections' (those giving the overview a row; every one for the summary): one query.
    on = sections.OVERVIEW if caps.full_record else None
    page_facts = selectors.overview_facts(user=request.user, case=case)
    facts = sections.read_facts(request.user, case, caps, page=page_facts, on=on)
    context = {
        "case": case,
        "caps": caps,
        "overview": selectors.case_overview(
            user=request.user, case=case, facts=facts.page, with_lists=not caps.full_record
        ),
        "glances": sections.glances(request.user, case, caps, facts) if caps.full_record else [],
        "sections": sections.render_sections(request, case, caps, facts, on=on),
    }
    return render(request, "cases/case_detail.html", context)


def _sections_page(request: SignedInRequest, case_id: int, on: str, title: str) -> HttpResponse:
    """A sub-page of the full record made of the sections registered for it (cases.sections)."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    caps = case_capabilities(request.user, case)
    facts = sections.read_facts(request.user, case, caps, page={}, on=on)
    context = {
        "case": case,
        "caps": caps,
        "title": title,
        "sections": sections.render_sections(request, case, caps, facts, on=on),
    }
    return render(request, "cases/case_sections_page.html", context)


@login_required
@require_GET
def case_plan(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The formulation report, its recommendations and the open actions."""
    return _sections_page(request, case_id, sections.PLAN, "Plan and actions")


@login_required
@require_GET
def case_trm(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The child's TRM stage, THRIVE grouping and goals."""
    return _sections_page(request, case_id, sections.TRM, "TRM and goals")


@login_required
@require_GET
def case_meetings(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's meetings and reviews."""
    return _sections_page(request, case_id, sections.MEETINGS, "Meetings and reviews")


@login_required
@require_GET
def case_details(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The child's details, the case (holders, clinicians, closure) and the sections registered for this page
    (subject access); closing or reopening the case starts here."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    caps = case_capabilities(request.user, case)
    facts = sections.read_facts(request.user, case, caps, page={}, on=sections.DETAILS)
    context = {
        "case": case,
        "caps": caps,
        "child_age": age_on(case.child.date_of_birth, timezone.localdate()),
        "psychologist": case.psychologist if case.psychologist_id else None,
        "senior_practitioner": case.senior_practitioner if case.senior_practitioner_id else None,
        "holders": list(selectors.holder_history(case=case)),
        "sections": sections.render_sections(request, case, caps, facts, on=sections.DETAILS),
    }
    return render(request, "cases/case_details.html", context)


@login_required
@require_GET
def case_network(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The professionals around the child, and (for those who may change the case) adding and removing them.
    The network sees it too: it is on their shared summary."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    context = {
        "case": case,
        "caps": case_capabilities(request.user, case),
        "network": list(selectors.network_of(case=case)),
        # Consent to share withdrawn (or a lawful basis to go on sharing): the page says so (cases/access/consent.py).
        "sharing": sharing_state(case),
    }
    return render(request, "cases/case_network.html", context)


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
            return redirect("cases:details", case.pk)
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
            return redirect("cases:details", case.pk)
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
            return redirect("cases:details", case.pk)
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
            return redirect("cases:details", case.pk)
    context = {"case": case, "caps": case_capabilities(request.user, case), "form": form}
    return render(request, "cases/case_reopen.html", context)
