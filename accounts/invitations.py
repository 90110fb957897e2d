"""Invitations: a one-time, expiring link with which an invited person sets their own password.

Nobody ever types another person's password. An administrator invites someone
(`accounts.services.user_invite`); the e-mail carries a link to `/accounts/invitation/<uid>/<token>/`.
The token is an HMAC over the person's password hash (unusable until they set one), their active
flag and a timestamp, so it stops working once the password is set, when the person is
deactivated, when a newer invitation is sent, and after `ECM_INVITATION_VALID_DAYS` (7 by default).
The page needs no sign-in and touches no case: the access module is not involved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accounts import services
from accounts.models import User


def invitation_valid_days() -> int:
    return int(getattr(settings, "ECM_INVITATION_VALID_DAYS", 7))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links: their own salt (a password-reset token is never an invitation) and
    their own lifetime, measured in days rather than the password reset's short timeout."""

    key_salt = "ecm.accounts.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token) for secret in secrets
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= invitation_valid_days() * 24 * 60 * 60


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user: User) -> str:
    """The absolute link the invitation e-mail carries."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)})
    return settings.ECM_BASE_URL.rstrip("/") + path


def invitation_email(*, user_id: int, inviter: str) -> None:
    """Send the invitation e-mail (after the inviting transaction commits). It names no child."""
    user = User.objects.prefetch_related("memberships__agency").get(pk=user_id)
    memberships = [membership for membership in user.memberships.all() if membership.is_active]
    context = {
        "person": user,
        "inviter": inviter,
        "memberships": memberships,
        "link": invitation_link(user),
        "valid_days": invitation_valid_days(),
        "sign_in_url": settings.ECM_BASE_URL.rstrip("/") + reverse("accounts:login"),
    }
    send_mail(
        subject="You have been invited to Enhanced Case Management (ECM)",
        message=render_to_string("accounts/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


class InvitationPasswordForm(SetPasswordForm):
    """Django's set-password form (the password validators run), with GOV.UK labels and messages."""

    error_anchor = "id_new_password1"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first: forms.Field = self.fields["new_password1"]
        second: forms.Field = self.fields["new_password2"]
        first.label = "Create a password"
        first.help_text = "At least 12 characters. A few unrelated words together make a strong password."
        first.error_messages["required"] = "Enter a password"
        second.label = "Type the password again"
        second.help_text = ""
        second.error_messages["required"] = "Type the password again"
        self.error_messages = {**self.error_messages, "password_mismatch": "The two passwords do not match"}


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
