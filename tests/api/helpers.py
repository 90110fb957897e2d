"""Helpers for the API's tests: a token for anyone of the cast, and a client that sends it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from accounts.api_tokens import IssuedToken, api_token_create
from accounts.models import Agency, User
from tests.cast import Cast


def agency_of(person: User) -> Agency:
    return person.memberships.filter(is_active=True).select_related("agency").order_by("pk").first().agency  # type: ignore[union-attr]


def issue(person: User, *, cast: Cast, scopes: tuple[str, ...] = ("read", "write"), **kwargs: Any) -> IssuedToken:
    """A token for `person`, issued by the cast's service administrator."""
    return api_token_create(
        user=person,
        agency=kwargs.pop("agency", None) or agency_of(person),
        actor=cast.administrator,
        name=kwargs.pop("name", f"{person.username}'s system"),
        scopes=list(scopes),
        **kwargs,
    )


def bearer(secret: str) -> dict[str, str]:
    """Headers for django.test.Client: `client.get(url, headers=bearer(secret))`."""
    return {"Authorization": f"Bearer {secret}"}


class TokenClient(Client):
    """A test client whose every request carries one bearer token (and no session)."""

    def __init__(self, secret: str, **defaults: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {secret}", **defaults)


def token_client(person: User, *, cast: Cast, scopes: tuple[str, ...] = ("read", "write")) -> TokenClient:
    return TokenClient(issue(person, cast=cast, scopes=scopes).secret)
