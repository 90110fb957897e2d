"""Where the current request came from, for the access log. Set by RequestContextMiddleware."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


NO_REQUEST = RequestOrigin()
current_origin: ContextVar[RequestOrigin] = ContextVar("ecm_request_origin", default=NO_REQUEST)
