"""Consultations: a psychologist's advice to the practitioners on a case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases import access, selectors, services
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import ConsultationForm
from core.http import SignedInRequest, is_post
from core.pagination import paginate

CONSULTATIONS_PER_PAGE = 25


@login_required
@require_GET
def consultation_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's consultations, newest first, for everyone who reads the full record."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "caps": case_capabilities(request.user, case),
        **paginate(request, selectors.consultations_for(case=case), CONSULTATIONS_PER_PAGE),
    }
    return render(request, "cases/consultation_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_add(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The psychologist logs a consultation."""
    case = access.get_case_for(request.user, case_id, Action.LOG_CONSULTATION)
    form = ConsultationForm(request.POST if is_post(request) else None, initial={"held_on": timezone.localdate()})
    if is_post(request) and form.is_valid():
        try:
            consultation = services.consultation_log(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Consultation logged")
            return redirect("cases:consultation_detail", case.pk, consultation.pk)
    return render(request, "cases/consultation_form.html", {"case": case, "form": form})


@login_required
@require_GET
def consultation_detail(request: SignedInRequest, case_id: int, consultation_id: int) -> HttpResponse:
    """One consultation in full."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    consultation = get_object_or_404(selectors.consultations_for(case=case), pk=consultation_id)
    return render(request, "cases/consultation_detail.html", {"case": case, "consultation": consultation})
