"""Correcting a mistake in the child's details (rectification), and the corrections kept with the originals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases import access, selectors, services
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import ChildCorrectionForm
from core.http import SignedInRequest, is_post


@login_required
@require_http_methods(["GET", "POST"])
def child_correct(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Correct a mistake in the child's details, with the statement of why they were wrong."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    initial = {name: getattr(case.child, name) for name in ChildCorrectionForm.FIELDS}
    form = ChildCorrectionForm(request.POST if is_post(request) else None, initial=initial)
    if is_post(request) and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ChildCorrectionForm.FIELDS}
        try:
            services.child_rectify(case=case, actor=request.user, statement=form.cleaned_data["statement"], **fields)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The correction is saved. The details before it are kept with your statement")
            return redirect("cases:rectifications", case.pk)
    return render(request, "cases/child_correct.html", {"case": case, "form": form, "error_anchor": "id_given_name"})


@login_required
@require_GET
def rectifications(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Every correction of the child's details, newest first: the details before and after, who, when and why."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "caps": case_capabilities(request.user, case),
        "rectifications": selectors.rectifications_of(child=case.child),
    }
    return render(request, "cases/rectifications.html", context)
