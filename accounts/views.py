"""Sign-in (the password, then the second factor), sign-out, the person's security page and forgotten
passwords. Case pages, the access log included, live in cases/ beside the access module."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import mfa, services
from accounts.forms import (
    ForgottenPasswordForm,
    InvitationPasswordForm,
    NewPasswordForm,
    RecoveryCodeForm,
    SecurityCodeForm,
    SignInForm,
)
from accounts.invitations import invitation_tokens, invitation_valid_days
from core.client_address import client_address
from core.ratelimit import Rate, rate_limited, within_limit

logger = logging.getLogger(__name__)


def per_hour(limit: int) -> Rate:
    """The forgotten-password limits are set per hour (ECM_PASSWORD_RESET_PER_*_PER_HOUR)."""
    return Rate(limit=limit, seconds=60 * 60)


def reset_email_key(email: str) -> str:
    """One count per mailbox, however the address is typed."""
    return email.strip().lower()


# Pages of the second step hide the navigation: nothing in it is reachable yet.
BEFORE_SIGN_IN: dict[str, list[Any]] = {"nav_items": []}
# The sign-out message's tag: the page showing it clears drafts kept in the tab (templates/base.html).
SIGNED_OUT_TAG = "ecm-signed-out"


class SignInView(auth_views.LoginView):
    """The password step. Posts are rate-limited per client address, before and beside the lockout
    (django-axes: failures of one username from one address)."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limited = rate_limited(request, "sign_in", per="address")
        if limited is not None:
            return limited
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if mfa.session_passes(self.request):
            return response
        return redirect(_with_next(reverse("accounts:second_factor"), self.get_redirect_url()))


class SignOutView(auth_views.LogoutView):
    """Sign out, and say so: the sign-in page that follows then drops this tab's drafts (static/ecm/init.js)."""

    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.", extra_tags=SIGNED_OUT_TAG)
        return response


# ---- The second step -------------------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go once signed in: a safe `next` from the form or the query, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url and next_url != resolve_url("home") else url


def _code_problem(form: Any, result: mfa.Verification, *, code_kind: str = "security code") -> None:
    if result.outcome is mfa.Outcome.LOCKED:
        minutes = max(1, math.ceil(((result.until or timezone.now()) - timezone.now()).total_seconds() / 60))
        form.add_error(
            "code",
            f"There were too many wrong codes. Wait {minutes} minute{'s' if minutes != 1 else ''} and try again, "
            "or ask your administrator to help",
        )
    elif result.outcome is mfa.Outcome.WAIT:
        form.add_error("code", "Wait a few seconds, then enter the code again")
    elif code_kind == "recovery code":
        form.add_error("code", "That recovery code is not right, or was already used")
    else:
        form.add_error("code", "The security code is not right, or was already used. Enter the code your app shows now")


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponseBase:
    """After the password: the 6-digit code from the person's authenticator app."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if mfa.session_passes(request):
        return redirect(next_url)
    if not mfa.second_factor_required(request.user):
        mfa.mark_not_required(request)
        return redirect(next_url)
    if not mfa.has_confirmed_device(request.user):
        return redirect(_with_next(reverse("accounts:second_factor_setup"), next_url))
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.totp_verify(user=request.user, token=form.cleaned_data["code"])
        if result.accepted:
            mfa.mark_second_factor_verified(request, mfa.METHOD_TOTP)
            return redirect(next_url)
        _code_problem(form, result)
    return render(request, "accounts/second_factor.html", {"form": form, "next": next_url, **BEFORE_SIGN_IN})


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_code(request: HttpRequest) -> HttpResponseBase:
    """The second step with a recovery code instead, when the authenticator app is not at hand."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if mfa.session_passes(request):
        return redirect(next_url)
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.recovery_code_use(user=request.user, code=form.cleaned_data["code"])
        if result.accepted:
            mfa.mark_second_factor_verified(request, mfa.METHOD_RECOVERY_CODE)
            left = result.codes_left or 0
            messages.warning(
                request,
                f"You signed in with a recovery code. You have {left} recovery code{'s' if left != 1 else ''} left: "
                "get new ones from “Your account” if you are running out.",
            )
            return redirect(next_url)
        if result.outcome is mfa.Outcome.NO_DEVICE:
            form.add_error(
                "code", "You have no recovery codes. Ask your administrator to reset your two-factor sign-in"
            )
        else:
            _code_problem(form, result, code_kind="recovery code")
    return render(request, "accounts/recovery_code.html", {"form": form, "next": next_url, **BEFORE_SIGN_IN})


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponseBase:
    """Set up an authenticator app: QR code or typed key, then its first code confirms it.

    Open to a person with no authenticator yet, and to one who has just proved their current code
    to replace it (from the security page). Never to a password-only session that has one.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    passes = mfa.session_passes(request)
    next_url = _next_url(request)
    if mfa.has_confirmed_device(user) and not (passes and mfa.reenrol_allowed(request)):
        return redirect("accounts:security" if passes else _with_next(reverse("accounts:second_factor"), next_url))
    device = mfa.unconfirmed_totp_device(user)
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.totp_set_up_confirm(user=user, device=device, token=form.cleaned_data["code"])
        if result.accepted:
            codes = mfa.recovery_codes_issue(user=user, actor=user)
            mfa.mark_second_factor_verified(request, mfa.METHOD_TOTP)
            mfa.reenrol_end(request)
            request.session[mfa.SESSION_NEW_CODES_KEY] = codes
            return redirect(_with_next(reverse("accounts:recovery_codes"), next_url))
        _code_problem(form, result)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": mfa.qr_code_data_uri(device),
        "key": mfa.grouped_key(device),
        "replacing": passes and mfa.has_confirmed_device(user),
    }
    if not passes:
        context.update(BEFORE_SIGN_IN)
    return render(request, "accounts/second_factor_setup.html", context)


@never_cache
@login_required
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponseBase:
    """New recovery codes, shown once: reloading the page does not show them again."""
    codes = request.session.pop(mfa.SESSION_NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


# ---- The person's own security page ------------------------------------------------------------------


@login_required
@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """ "Your account": whether two-factor sign-in is set up, recovery codes left, and what can be changed."""
    user = request.user
    device = mfa.confirmed_totp_device(user)
    context = {
        "device": device,
        "codes_left": mfa.recovery_codes_left(user) if device else 0,
        "required": mfa.second_factor_required(user),
        "history": [
            {"at": event.pgh_created_at, "what": mfa.MFA_EVENT_DESCRIPTIONS[event.pgh_label]}
            for event in mfa.mfa_history(user)[:10]
        ],
    }
    return render(request, "accounts/security.html", context)


def _confirm_with_current_code(request: HttpRequest, *, purpose: str) -> HttpResponseBase:
    if mfa.confirmed_totp_device(request.user) is None:
        messages.info(request, "Set up two-factor sign-in first.")
        return redirect("accounts:second_factor_setup")
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = mfa.totp_verify(user=request.user, token=form.cleaned_data["code"])
        if result.accepted:
            if purpose == "new_codes":
                request.session[mfa.SESSION_NEW_CODES_KEY] = mfa.recovery_codes_issue(
                    user=request.user, actor=request.user
                )
                return redirect("accounts:recovery_codes")
            mfa.reenrol_start(request)
            return redirect("accounts:second_factor_setup")
        _code_problem(form, result)
    return render(request, "accounts/confirm_with_code.html", {"form": form, "purpose": purpose})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes_new(request: HttpRequest) -> HttpResponseBase:
    """New recovery codes (the old ones stop working), after the current security code."""
    return _confirm_with_current_code(request, purpose="new_codes")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def authenticator_replace(request: HttpRequest) -> HttpResponseBase:
    """Move to a new authenticator app (a new phone), after the current security code."""
    return _confirm_with_current_code(request, purpose="replace")


# ---- Forgotten password ------------------------------------------------------------------------------


class ForgottenPasswordView(auth_views.PasswordResetView):
    """Asks for an e-mail address; the answer is the same whether or not an account has it.

    Rate-limited per address and per e-mail address; over the limit nothing is sent and the
    answer is still the same. A reset never signs anyone in: the second factor is still asked.
    """

    template_name = "accounts/password_reset_form.html"
    form_class = ForgottenPasswordForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Per client address, whatever the e-mail address: so the answer says nothing about accounts.
        limited = rate_limited(request, "password_reset", per="address")
        if limited is not None:
            return limited
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        address = client_address(self.request) or ""
        allowed = within_limit(
            "password-reset-ip", address, per_hour(settings.ECM_PASSWORD_RESET_PER_IP_PER_HOUR)
        ) and within_limit(
            "password-reset-email", reset_email_key(email), per_hour(settings.ECM_PASSWORD_RESET_PER_EMAIL_PER_HOUR)
        )
        if not allowed:
            logger.warning("forgotten-password requests over the hourly limit: nothing sent")
            return redirect(self.get_success_url())
        self.extra_email_context = {
            "base_url": settings.ECM_BASE_URL,
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        return super().form_valid(form)


class ForgottenPasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class NewPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # never signed in by a link: the password and the second factor are still asked


class NewPasswordSetView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class InvitationAcceptView(PasswordResetConfirmView):
    """Open the invitation link, set a password, then go to sign in (the second factor is set up there)."""

    token_generator = invitation_tokens
    form_class = InvitationPasswordForm
    template_name = "accounts/invitation_set_password.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["person"] = self.user
        context["valid_days"] = invitation_valid_days()
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            services.invitation_accept(user=self.user, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.request.session.pop(INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, f"Your password is set. Sign in with your username, {self.user.username}.")
        return redirect("accounts:login")
