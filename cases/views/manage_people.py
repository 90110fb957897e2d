"""The administration area's people pages (/manage/people/): find, invite, change, deactivate, reactivate.

Service administrators manage everyone; agency administrators the people of their own agency
(cases.access.manageable_people). Nothing here shows case content. Every change is a service in
accounts/services.py, which keeps the history with the administrator's name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import mfa, services
from accounts.models import CLINICIAN_ROLES, Coverage, Membership, User
from accounts.selectors import people_list, person_history
from cases import access, manage_area
from cases.capabilities import person_capabilities
from cases.manage_forms import InviteForm, MembershipAddForm, MembershipRoleForm, PeopleFilterForm
from core.http import SignedInRequest, is_post
from core.pagination import paginate


def require_people_manager(request: SignedInRequest) -> None:
    if not access.may_manage_people(request.user):
        raise PermissionDenied("Only administrators manage people.")


def person_url(person: User) -> str:
    return reverse("manage:person", args=[person.pk])


def render_confirmation(
    request: SignedInRequest, context: dict[str, Any], error: ValidationError | None = None
) -> HttpResponse:
    """The one confirmation page of the area: what will happen, one button, and the refusal if any."""
    if error is not None:
        context["error_links"] = [{"href": "#confirm", "text": message} for message in error.messages]
    return render(request, "manage/confirm.html", context, status=200)


@login_required
@require_GET
def manage_home(request: SignedInRequest) -> HttpResponse:
    """The administration area's landing page: the links this administrator may follow."""
    require_people_manager(request)
    context = {
        "links": manage_area.links_for(request.user),
        "service": access.may_manage_service(request.user),
        "agencies": [agency.name for agency in access.manageable_agencies(request.user)],
    }
    return render(request, "manage/home.html", context)


@login_required
@require_GET
def people(request: SignedInRequest) -> HttpResponse:
    """Everyone this administrator manages: search, filter by agency, role and status, 50 a page."""
    require_people_manager(request)
    form = PeopleFilterForm(request.GET or None, agencies=access.manageable_agencies(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    found = people_list(
        people=access.manageable_people(request.user),
        text=filters.get("q") or "",
        agency=filters.get("agency"),
        role=filters.get("role") or "",
        status=filters.get("status") or "",
    )
    context = {"form": form, "filtered": any(filters.values()), **paginate(request, found)}
    return render(request, "manage/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: SignedInRequest) -> HttpResponse:
    """Invite a person by e-mail: they get a one-time link and set their own password."""
    require_people_manager(request)
    form = InviteForm(
        request.POST if is_post(request) else None,
        agencies=access.manageable_agencies(request.user),
        may_grant_service_administrator=access.may_manage_service(request.user),
    )
    if is_post(request) and form.is_valid():
        try:
            person = services.user_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person} is invited. The invitation went to {person.email}")
            return redirect(person_url(person))
    return render(request, "manage/invite.html", {"form": form})


@login_required
@require_GET
def person_detail(request: SignedInRequest, person_id: int) -> HttpResponse:
    """One person: details, memberships, coverage, sign-in and second factor, history, and the actions."""
    person = access.get_person_for(request.user, person_id)
    memberships = list(person.memberships.select_related("agency").order_by("-is_active", "agency__name", "role"))
    is_clinician = any(m.role in CLINICIAN_ROLES for m in memberships)
    context = {
        "person": person,
        "memberships": memberships,
        "coverage": list(Coverage.objects.filter(clinician=person).select_related("yjs")) if is_clinician else None,
        "mfa_set_up": mfa.has_confirmed_device(person),
        "invitation_pending": person.is_active and not person.has_usable_password() and person.last_login is None,
        "history": person_history(person),
        "caps": person_capabilities(request.user, person, memberships=memberships),
    }
    return render(request, "manage/person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Give the person a role in another agency (or the same agency in another role)."""
    person = access.get_person_for(request.user, person_id, change=True)
    form = MembershipAddForm(
        request.POST if is_post(request) else None,
        agencies=access.manageable_agencies(request.user),
        may_grant_service_administrator=access.may_manage_service(request.user),
    )
    if is_post(request) and form.is_valid():
        try:
            membership = services.membership_add(user=person, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"{person} is now a {membership.get_role_display().lower()} in {membership.agency}"
            )
            return redirect(person_url(person))
    return render(request, "manage/membership_add.html", {"person": person, "form": form})


def _membership_for(request: SignedInRequest, person: User, membership_id: int) -> Membership:
    """An active membership of the person in an agency this administrator manages (404 otherwise)."""
    return get_object_or_404(
        Membership.objects.select_related("agency"),
        pk=membership_id,
        user=person,
        is_active=True,
        agency__in=access.manageable_agencies(request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_role(request: SignedInRequest, person_id: int, membership_id: int) -> HttpResponse:
    """Change the person's role in one agency: the old membership ends, the new one starts."""
    person = access.get_person_for(request.user, person_id, change=True)
    membership = _membership_for(request, person, membership_id)
    form = MembershipRoleForm(
        request.POST if is_post(request) else None,
        may_grant_service_administrator=access.may_manage_service(request.user),
    )
    if is_post(request) and form.is_valid():
        try:
            new = services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person} is now a {new.get_role_display().lower()} in {new.agency}")
            return redirect(person_url(person))
    return render(request, "manage/membership_role.html", {"person": person, "membership": membership, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request: SignedInRequest, person_id: int, membership_id: int) -> HttpResponse:
    """End one membership, after a confirmation. Ending the last one makes the person a leaver."""
    person = access.get_person_for(request.user, person_id, change=True)
    membership = _membership_for(request, person, membership_id)
    last = not person.memberships.filter(is_active=True).exclude(pk=membership.pk).exists()
    role = membership.get_role_display().lower()
    context: dict[str, Any] = {
        "person": person,
        "heading": f"End {person}'s membership as a {role} in {membership.agency}?",
        "points": [
            f"They lose the {role} role in {membership.agency}, and what it lets them see.",
            *(LEAVER_POINTS if last else []),
        ],
        "warning": "This is their last membership: ending it deactivates them." if last else "",
        "button": "End the membership",
        "cancel_url": person_url(person),
    }
    if is_post(request):
        try:
            services.membership_end(membership=membership, actor=request.user)
        except ValidationError as error:
            return render_confirmation(request, context, error)
        messages.success(request, f"{person}'s membership as a {role} in {membership.agency} has ended")
        return redirect(person_url(person))
    return render_confirmation(request, context)


LEAVER_POINTS = [
    "They cannot sign in, and any session they have open ends now.",
    "Every case summary shared with them personally is no longer shared.",
    "They are taken off the meetings they were invited to that have not happened yet.",
    "Their cases, contacts and history stay as they are. Reassign their open work to a colleague.",
]


@login_required
@require_http_methods(["GET", "POST"])
def deactivate(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Deactivate a leaver, after a confirmation page that says what happens."""
    person = access.get_person_for(request.user, person_id, change=True)
    is_self = person.pk == request.user.pk
    context: dict[str, Any] = {
        "person": person,
        "heading": f"Deactivate {person}?",
        "points": LEAVER_POINTS,
        "warning": "You cannot deactivate yourself. Ask another administrator." if is_self else "",
        "blocked": is_self,
        "button": "Deactivate",
        "warning_button": True,
        "cancel_url": person_url(person),
    }
    if is_post(request):
        try:
            done = services.user_deactivate(user=person, actor=request.user)
        except ValidationError as error:
            return render_confirmation(request, context, error)
        steps = "; ".join(step.rsplit(": ", 1)[-1] for step in done)  # each is "<step name>: <what it did>"
        messages.success(request, f"{person} is deactivated" + (f" ({steps})" if steps else ""))
        return redirect(person_url(person))
    return render_confirmation(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def reactivate(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Let a person sign in again (shares and invitations taken away when they left are not given back)."""
    person = access.get_person_for(request.user, person_id, change=True)
    context: dict[str, Any] = {
        "person": person,
        "heading": f"Reactivate {person}?",
        "points": [
            "They can sign in again with the roles of their active memberships.",
            "Case summaries shared with them, and meeting invitations withdrawn when they left, are not given back.",
        ],
        "button": "Reactivate",
        "cancel_url": person_url(person),
    }
    if is_post(request):
        try:
            services.user_reactivate(user=person, actor=request.user)
        except ValidationError as error:
            return render_confirmation(request, context, error)
        messages.success(request, f"{person} can sign in again")
        return redirect(person_url(person))
    return render_confirmation(request, context)


@login_required
@require_POST
def invitation_resend(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Send the invitation again: a new link, and the earlier links stop working."""
    person = access.get_person_for(request.user, person_id, change=True)
    try:
        services.invitation_send(user=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation went to {person.email}. Earlier links no longer work")
    return redirect(person_url(person))


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_reset(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Reset the person's second factor (a lost phone): they set it up again at their next sign-in."""
    person = access.get_person_for(request.user, person_id, change=True)
    context: dict[str, Any] = {
        "person": person,
        "heading": f"Reset {person}'s two-factor sign-in?",
        "points": [
            "Their authenticator app and recovery codes stop working.",
            "Any session they have open ends now.",
            "The next time they sign in with their password, they set up a new authenticator app.",
            "Only do this when you are sure who asked: check with them by phone or in person.",
        ],
        "button": "Reset two-factor sign-in",
        "warning_button": True,
        "cancel_url": person_url(person),
    }
    if is_post(request):
        mfa.mfa_reset_for(user=person, actor=request.user)
        messages.success(request, f"{person}'s two-factor sign-in is reset")
        return redirect(person_url(person))
    return render_confirmation(request, context)
