"""Sign-in with an agency's own identity provider (OpenID Connect), through mozilla-django-oidc.

The library reads one provider from settings; ECM has one per agency (ECM_OIDC_PROVIDERS, checked
by accounts/oidc_providers.py). The start view takes the provider's slug from the URL and keeps it
in the session beside the flow's state; the callback finds it there again and hands it to the
backend on the request. A provider vouches only for its own agency: a person is matched to an
invited, active account by verified e-mail and only through an active membership of that
agency. Nobody is ever created here (OIDC_CREATE_USER is off).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.backends import EcmModelBackend
from accounts.mfa import mark_second_factor_verified
from accounts.oidc_providers import OidcProvider, oidc_providers_parse

logger = logging.getLogger(__name__)

# Where the callback leaves the provider for the backend, and the backend leaves the ID token's
# authentication methods for the callback (the session is reloaded in between, the request is not).
REQUEST_PROVIDER = "ecm_oidc_provider"
REQUEST_AMR = "ecm_oidc_amr"
# The e-mail address the provider vouched for, for django-axes (see `axes_username`).
REQUEST_EMAIL = "ecm_oidc_email"
# `amr` values (RFC 8176) that show the provider asked for a second factor.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk"})


def oidc_providers() -> dict[str, OidcProvider]:
    """The configured identity providers, by slug (none unless ECM_OIDC_PROVIDERS names some)."""
    return oidc_providers_parse(getattr(settings, "ECM_OIDC_PROVIDERS", {}))


def oidc_provider(slug: object) -> OidcProvider | None:
    return oidc_providers().get(slug) if isinstance(slug, str) else None


def email_is_verified(claims: dict[str, Any]) -> bool:
    """Only the boolean `email_verified: true` (or the string "true" some providers send) counts."""
    verified = claims.get("email_verified")
    return verified is True or (isinstance(verified, str) and verified.lower() == "true")


def amr_shows_second_factor(amr: object) -> bool:
    values = [amr] if isinstance(amr, str) else amr if isinstance(amr, Iterable) else []
    return any(str(value).lower() in SECOND_FACTOR_AMR for value in values)


class AgencyOIDCBackend(OIDCAuthenticationBackend, EcmModelBackend):
    """Matches the provider's verified e-mail to an invited, active member of the provider's agency.

    Django makes a backend for every request that restores a session, so nothing is read from
    settings at construction; `authenticate` is configured from the provider the callback names.
    Permissions stay with the model backend: this one only authenticates.
    """

    provider: OidcProvider

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        provider = getattr(request, REQUEST_PROVIDER, None) if request is not None else None
        if not isinstance(provider, OidcProvider):
            return None  # not an OIDC callback (a password sign-in, for one)
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.sign_algo
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature and nonce; ECM also insists the token was issued to it."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.provider.client_id not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client.")
        if self.provider.issuer and payload.get("iss") != self.provider.issuer:
            raise SuspiciousOperation("The ID token comes from an unexpected issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The user-info claims over the ID token's, for the same subject (OpenID Connect Core 5.3.2)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user-info subject does not match the ID token's.")
        return {**payload, **userinfo}

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        email = claims.get("email")
        if not isinstance(email, str) or not email.strip():
            return self.UserModel.objects.none()
        setattr(self.request, REQUEST_EMAIL, email.strip().lower())
        if not email_is_verified(claims):
            return self.UserModel.objects.none()
        users = self.UserModel.objects.filter(
            email__iexact=email.strip(),
            is_active=True,
            # One filter call: the same membership must be active, in this agency, and the agency active.
            memberships__is_active=True,
            memberships__agency__name=self.provider.agency,
            memberships__agency__is_active=True,
        )
        if not settings.DEMO_LOGINS_ALLOWED:
            users = users.filter(is_demo=False)
        return users.distinct()

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            logger.info("OIDC sign-in through %s matched no ECM account", self.provider.slug)
        else:
            setattr(self.request, REQUEST_AMR, payload.get("amr") or [])
        return user

    def get_user(self, user_id: Any) -> Any:
        """Restore a session only for someone who may still sign in (active, not a refused demo person)."""
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """django-axes' username for a sign-in attempt (AXES_USERNAME_CALLABLE): axes' own rule, except
    that a refused identity-provider answer counts against the e-mail it carried. Otherwise every
    such refusal would share one "no username" count per address, and a few people without an
    ECM account at a school behind one IP address would lock the whole school out."""
    email = getattr(request, REQUEST_EMAIL, None)
    if email:
        return str(email)
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return credentials.get(field)
    return getattr(request, "data", request.POST).get(field)


class OidcStartView(OIDCAuthenticationRequestView):
    """`/accounts/oidc/<slug>/start/`: off to the agency's provider, with state, nonce and PKCE kept."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the provider comes from the URL, not from one setting

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        provider = oidc_provider(slug)
        if provider is None:
            raise Http404("No such identity provider.")
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        states_before = set(_states(request))
        response: HttpResponse = super().get(request)
        # The provider is remembered with the flow's state, so two tabs with two providers both work.
        for state in set(_states(request)) - states_before:
            request.session["oidc_states"][state]["provider"] = provider.slug
        request.session.modified = True
        return response


class OidcCallbackView(OIDCAuthenticationCallbackView):
    """`/accounts/oidc/callback/`: the provider sends the person back here with a code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        flow = _states(request).get(request.GET.get("state", ""))
        provider = oidc_provider(flow.get("provider")) if isinstance(flow, dict) else None
        if provider is None and "code" in request.GET:
            # No flow started here with this state: stale, replayed or forged.
            logger.warning("OIDC callback with an unknown state")
            return _failure(request, no_account=False)
        setattr(request, REQUEST_PROVIDER, provider)
        try:
            response: HttpResponse = super().get(request)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError, ValueError) as error:
            # A bad signature, nonce or audience, or an unreachable provider: refused, never a 500.
            logger.warning("OIDC sign-in through %s refused: %s", provider.slug if provider else "-", error)
            return _failure(request, no_account=False)
        return response

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        provider: OidcProvider = getattr(self.request, REQUEST_PROVIDER)
        if provider.trust_provider_mfa and amr_shows_second_factor(getattr(self.request, REQUEST_AMR, [])):
            # The provider asked for a second factor and ECM trusts it to: ECM's own is not asked again.
            mark_second_factor_verified(self.request, "oidc")
        return response

    def login_failure(self) -> HttpResponse:
        answered = "code" in self.request.GET and "error" not in self.request.GET
        return _failure(self.request, no_account=answered)


def _states(request: HttpRequest) -> dict[str, Any]:
    states = request.session.get("oidc_states")
    return states if isinstance(states, dict) else {}


def _failure(request: HttpRequest, *, no_account: bool) -> HttpResponse:
    """One page for every refusal of a verified answer, so it tells nobody which accounts exist."""
    return render(request, "accounts/oidc_failed.html", {"no_account": no_account}, status=403 if no_account else 400)
