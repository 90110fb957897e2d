"""The child's professional network: add someone, change whether they see the shared summary, remove them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import Agency, Role
from cases import access, selectors, services
from cases.access import Action
from cases.forms import NetworkMemberForm, NetworkPersonForm, NetworkSearchForm, NetworkSharingForm
from core.http import SignedInRequest, is_post
from core.ratelimit import rate_limited


@login_required
@require_http_methods(["GET", "POST"])
def network_add(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Add a professional: search for someone with an ECM account (a GET form, then a choose step), or
    type in the details of someone without one (POST). No page lists every member of staff."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    search = NetworkSearchForm(request.GET if "q" in request.GET else None)
    if search.is_bound and (limited := rate_limited(request, "search", per="person")) is not None:
        return limited
    form = NetworkMemberForm(request.POST if is_post(request) else None, agencies=selectors.network_agencies())
    if is_post(request) and form.is_valid():
        try:
            member = services.network_member_add(case=case, actor=request.user, **form.member_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{member.name} is in the network")
            return redirect("cases:network", case.pk)
    context: dict[str, Any] = {"case": case, "form": form, "search": search, "searched": False}
    if search.is_bound and search.is_valid():
        found: list[Any] = selectors.network_search(
            case=case, text=search.cleaned_data["q"], limit=selectors.NETWORK_SEARCH_LIMIT + 1
        )
        context.update(
            searched=True,
            near=[person for person in found[: selectors.NETWORK_SEARCH_LIMIT] if person.works_with_child],
            elsewhere=[person for person in found[: selectors.NETWORK_SEARCH_LIMIT] if not person.works_with_child],
            more=len(found) > selectors.NETWORK_SEARCH_LIMIT,
            limit=selectors.NETWORK_SEARCH_LIMIT,
        )
    return render(request, "cases/network_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def network_add_person(request: SignedInRequest, case_id: int, person_id: int) -> HttpResponse:
    """The person chosen from the search: their role in the network and whether they see the summary.
    Someone of another youth justice service needs a confirmation first."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    person: Any = get_object_or_404(selectors.network_candidate(case=case, person_id=person_id))
    other_service = selectors.other_service_of(case=case, person=person)
    form = NetworkPersonForm(request.POST if is_post(request) else None)
    context: dict[str, Any] = {"case": case, "person": person, "form": form, "other_service": other_service}
    if is_post(request) and form.is_valid():
        data = form.cleaned_data
        if other_service is not None and not data["confirmed"]:
            return render(request, "cases/network_confirm.html", context)
        try:
            member = services.network_member_add(
                case=case,
                actor=request.user,
                user=person,
                name=person.get_full_name() or person.username,
                agency=Agency.objects.filter(pk=person.agency_ref).first(),
                role=data["role"] or person.job_title or Role(person.role_label).label,
                email=person.email,
                phone=person.phone,
                may_see_summary=data["may_see_summary"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            shared = " and may see the shared summary" if member.may_see_summary else ""
            messages.success(request, f"{member.name} is in the network{shared}")
            return redirect("cases:network", case.pk)
    return render(request, "cases/network_person.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def network_sharing(request: SignedInRequest, case_id: int, member_id: int) -> HttpResponse:
    """Grant or take back one network member's view of the shared summary of this case."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    member = get_object_or_404(selectors.network_member_of(case=case, member_id=member_id))
    form = NetworkSharingForm(
        request.POST if is_post(request) else None,
        initial={"may_see_summary": "yes" if member.may_see_summary else "no"},
    )
    if is_post(request) and form.is_valid():
        may_see_summary = form.cleaned_data["may_see_summary"]
        try:
            services.network_member_set_sharing(member=member, may_see_summary=may_see_summary, actor=request.user)
        except ValidationError as error:
            form.add_error("may_see_summary", error.message_dict.get("may_see_summary", error.messages))
        else:
            verb = "may now see" if may_see_summary else "no longer sees"
            messages.success(request, f"{member.name} {verb} the shared summary")
            return redirect("cases:network", case.pk)
    return render(request, "cases/network_sharing.html", {"case": case, "member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def network_remove(request: SignedInRequest, case_id: int, member_id: int) -> HttpResponse:
    """Take someone out of the network, after a confirmation page; their view of the summary goes with them."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    member = get_object_or_404(selectors.network_member_of(case=case, member_id=member_id))
    error = ""
    if is_post(request):
        try:
            services.network_member_remove(member=member, actor=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)  # a closed case: nothing changes until it is reopened
        else:
            messages.success(request, f"{member.name} is no longer in the network")
            return redirect("cases:network", case.pk)
    return render(request, "cases/network_remove.html", {"case": case, "member": member, "error": error})
