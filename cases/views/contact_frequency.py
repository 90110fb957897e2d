"""How often the child should be contacted: the per-case contact frequency the workboard counts against."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases import access
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import ContactFrequencyForm
from cases.services.contact_frequency import case_contact_frequency_set
from core.http import SignedInRequest, is_post

CLOSED_MESSAGE = "The case is closed: reopen it to change how often the child is contacted"


@login_required
@require_http_methods(["GET", "POST"])
def contact_frequency_change(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Change the days between contacts (those who may change the case, while it is open)."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    caps = case_capabilities(request.user, case)
    if not caps.is_open:
        # Closed means read-only: back to the case, saying why (nothing is changed).
        messages.error(request, CLOSED_MESSAGE)
        return redirect(case)
    form = ContactFrequencyForm(
        request.POST if is_post(request) else None, initial={"days": case.contact_frequency_days}
    )
    if is_post(request) and form.is_valid():
        try:
            case_contact_frequency_set(case=case, days=form.cleaned_data["days"], actor=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            days = form.cleaned_data["days"]
            messages.success(request, f"Contacts are now due every {days} day{'s' if days != 1 else ''}")
            return redirect(case)
    return render(request, "cases/contact_frequency_form.html", {"case": case, "caps": caps, "form": form})
