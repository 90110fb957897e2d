"""Who is calling the API: a bearer token (systems), or the signed-in session (the browsable API, the docs).

`Authorization: Bearer ecm_<key id>_<secret>`. A token that is malformed, unknown, expired, revoked, or
whose person left (or left the token's agency) is refused with 401 and a `WWW-Authenticate: Bearer`
challenge, the same answer for each, so a caller learns nothing about which it was.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

# core sits below accounts and never imports it at import time: the token model is found by name.
TOKEN_AUTHENTICATOR = "accounts.api_tokens.api_token_authenticate"  # noqa: S105 - a function name
REFUSED = "The token is not valid: it may be mistyped, expired or revoked, or its person may have left."


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`: the token's person, and the token as `request.auth`."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still authenticate the request
        if len(words) != 2:
            raise AuthenticationFailed(REFUSED)
        try:
            raw = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(REFUSED) from None
        token = import_string(TOKEN_AUTHENTICATOR)(raw)
        if token is None:
            raise AuthenticationFailed(REFUSED)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="ecm"'
