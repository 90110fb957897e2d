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

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

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
