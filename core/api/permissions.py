"""The token's scopes: a read token reads (GET, HEAD, OPTIONS), a write token writes, both do both.

A session (the browsable API) carries no token and is limited only by the access module, like the pages.
What the person may see or do is never decided here: the views ask the access module (404 / 403).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

READ, WRITE = "read", "write"


def scope_needed(method: str) -> str:
    return READ if method in SAFE_METHODS else WRITE


class TokenScope(BasePermission):
    """403 when the request's token lacks the scope its method needs."""

    message = "This token may not do this: reading needs the read scope, changing anything the write scope."

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        allows = getattr(token, "allows", None)
        if allows is None:  # a session, not a token
            return True
        return bool(allows(scope_needed(request.method or "GET")))
