"""The administration area's API token pages (/manage/api-tokens/): list, create (the secret shown once), revoke.

An administrator issues tokens for the people they manage (a service administrator: anyone; an agency
administrator: the people of their agency, never a service administrator) and for an agency they manage.
Creating and revoking go through accounts/api_tokens.py, whose history keeps the administrator's name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.api_tokens import ApiToken, api_token_create, api_token_revoke, api_tokens_for
from cases import access
from cases.manage_api_token_forms import ApiTokenForm
from cases.views.manage_people import render_confirmation, require_people_manager
from config.converters import record_id_or_404
from core.http import SignedInRequest, is_post
from core.pagination import paginate


def _token_for(request: SignedInRequest, token_id: int) -> ApiToken:
    """A token of someone this administrator manages (404 otherwise), whom they may change (403 otherwise)."""
    pk = record_id_or_404(token_id, "token")
    token = api_tokens_for(access.manageable_people(request.user)).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    if not access.may_manage_person(request.user, token.user):
        raise PermissionDenied("Only a service administrator changes a service administrator's tokens.")
    return token


@login_required
@require_GET
def api_tokens(request: SignedInRequest) -> HttpResponse:
    """Every token of the people this administrator manages, newest first, 50 a page."""
    require_people_manager(request)
    tokens = api_tokens_for(access.manageable_people(request.user))
    return render(request, "manage/api_tokens.html", paginate(request, tokens))


@login_required
@require_http_methods(["GET", "POST"])
def api_token_create_view(request: SignedInRequest) -> HttpResponse:
    """Issue a token; the page that follows shows it once, and never again."""
    require_people_manager(request)
    form = ApiTokenForm(
        request.POST if is_post(request) else None,
        agencies=access.manageable_agencies(request.user),
        people=access.manageable_people(request.user),
    )
    if is_post(request) and form.is_valid():
        person = form.cleaned_data["person"]
        if not access.may_manage_person(request.user, person):
            form.add_error("person", "Only a service administrator issues tokens for a service administrator")
        else:
            try:
                issued = api_token_create(
                    user=person,
                    agency=form.cleaned_data["agency"],
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                # Rendered, not redirected: the secret is never in a URL, the session or a later page.
                return render(
                    request, "manage/api_token_created.html", {"token": issued.token, "secret": issued.secret}
                )
    return render(request, "manage/api_token_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke_view(request: SignedInRequest, token_id: int) -> HttpResponse:
    """Revoke a token after a confirmation: it stops working at once."""
    require_people_manager(request)
    token = _token_for(request, token_id)
    context: dict[str, Any] = {
        "heading": f"Revoke the token “{token.name}” of {token.user}?",
        "points": [
            f"The token {token.prefix}… stops working at once: the system using it is refused (401).",
            "This cannot be undone. Issue a new token if the system still needs one.",
        ],
        "warning": "This token is already revoked." if token.is_revoked else "",
        "blocked": token.is_revoked,
        "button": "Revoke the token",
        "warning_button": True,
        "cancel_url": reverse("manage:api_tokens"),
        "back_url": reverse("manage:api_tokens"),
        "back_label": "Back to API tokens",
    }
    if is_post(request):
        try:
            api_token_revoke(token=token, actor=request.user)
        except ValidationError as error:
            return render_confirmation(request, context, error)
        messages.success(request, f"The token “{token.name}” of {token.user} is revoked")
        return redirect("manage:api_tokens")
    return render_confirmation(request, context)
