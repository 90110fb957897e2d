"""A leaver's or mover's work (/manage/people/<id>/work/): the open cases they hold and the open actions
they own, handed on in bulk to a named colleague with one reason.

For the person's administrators (every service) and senior practitioners (the services they cover).
It shows no case content: case numbers, the child's initials, services and dates.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.audit import access_event_record
from accounts.models import AccessAction, User
from cases import access
from cases.forms import WorkReassignForm
from cases.leaver_work import colleagues_for, work_of, work_reassign
from core.http import SignedInRequest, is_post


@login_required
@require_http_methods(["GET", "POST"])
def person_work(request: SignedInRequest, person_id: int) -> HttpResponse:
    """List the person's open work in the services the viewer may act for, and hand the chosen items on."""
    if not access.may_reassign_work(request.user):
        raise PermissionDenied("Only administrators and senior practitioners hand on a person's work.")
    person = User.objects.filter(pk=person_id).first()
    services = access.work_services_for(request.user, person) if person is not None else None
    if person is None or services is None or not services.exists():
        access_event_record(
            user=request.user,
            action=AccessAction.DENIED,
            record_type="person's work",
            record_id=person_id,
            description="not visible",
        )
        raise Http404("No such person")
    work = work_of(person=person, services=services)
    items = [item for kind in work for item in kind.items]
    form = WorkReassignForm(
        request.POST if is_post(request) else None,
        item_keys=[item.key for item in items],
        colleagues=colleagues_for(person=person, items=items),
    )
    if is_post(request) and form.is_valid():
        chosen = [item for item in items if item.key in form.cleaned_data["items"]]
        colleague = form.cleaned_data["to_person"]
        try:
            moved = work_reassign(
                person=person, items=chosen, to_person=colleague, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            pieces = "1 piece" if moved == 1 else f"{moved} pieces"
            messages.success(request, f"{pieces} of work handed on to {colleague.get_full_name()}")
            return redirect(request.path)
    # Case numbers and initials identify children to a point: the list is a read, and logged.
    access_event_record(
        user=request.user,
        action=AccessAction.VIEW,
        record_type="person's work",
        record_id=person.pk,
        description=", ".join(f"{len(kind.items)} {kind.kind.name}" for kind in work),
    )
    context = {
        "person": person,
        "work": work,
        "form": form,
        "has_work": bool(items),
        "chosen": form["items"].value() or [],
        "full_scope": access.may_manage_person(request.user, person),
    }
    return render(request, "cases/person_work.html", context)
