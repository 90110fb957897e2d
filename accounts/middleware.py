"""Request-wide concerns: session limits, the request's origin for the access log, no-store."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from accounts import mfa
from accounts.request_context import RequestOrigin, current_origin
from core.client_address import client_address

SESSION_STARTED = "ecm_started_at"
SESSION_LAST_SEEN = "ecm_last_seen_at"
# Writing the session on every request is wasteful; a minute's precision is enough for a 30-minute limit.
LAST_SEEN_RESOLUTION_SECONDS = 60


class SessionLimitsMiddleware:
    """Sign people out after 30 minutes idle or 12 hours in all, whichever comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_long = now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_long:
                logout(request)
                idle_minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
                total_hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
                messages.info(
                    request,
                    f"You were signed out after {idle_minutes} minutes without activity. Sign in again to carry on."
                    if idle
                    else f"You were signed out because you had been signed in for {total_hours} hours. Sign in again.",
                )
                login_url = reverse(settings.LOGIN_URL)
                return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


# What a session signed in with a password only may reach: the second step itself, signing out, and
# the pages that need no sign-in (forgotten password, invitations, identity providers, health).
REACHABLE_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:second_factor",
        "accounts:recovery_code",
        "accounts:second_factor_setup",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_sent",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:invitation",
        "accounts:oidc_start",
        "accounts:oidc_callback",
        "health",
    }
)


class SecondFactorMiddleware:
    """A session signed in with a password only is not yet signed in: every page but the second
    step's sends it there. A session that passed costs nothing: its state is in the session
    (accounts/mfa.py), so no database query is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.ECM_MFA_REQUIRED and request.user.is_authenticated and not mfa.session_passes(request):
            request.second_factor_pending = True  # type: ignore[attr-defined]
            if not _reachable_before_second_factor(request):
                second_step = reverse("accounts:second_factor")
                if request.method == "GET":
                    return redirect(f"{second_step}?{urlencode({'next': request.get_full_path()})}")
                return redirect(second_step)
        return self.get_response(request)


def _reachable_before_second_factor(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in REACHABLE_BEFORE_SECOND_FACTOR


def stamp_session_on_sign_in(*, request: HttpRequest, **_: object) -> None:
    """Start both session clocks at sign-in (connected to `user_logged_in` in accounts.apps)."""
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now


class RequestContextMiddleware:
    """Make the request's origin available to the access log without passing the request around."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(
            ip_address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.get_full_path()[:500],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)


class NoStoreMiddleware:
    """Nothing shown to a signed-in person (children's records above all) is kept by browsers or proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or getattr(response, "shows_child", False):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
