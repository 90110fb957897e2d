"""Rate limits for the API: per token (a system), else per person (a session), else per address.

At settings.ECM_RATE_LIMITS["api"] (core.ratelimit reads the same setting); over it the API answers 429
with `Retry-After`. The counts are in the Django cache (Redis, config/cache.py): when Redis is down the
cache answers as empty and any other failure lets the request through. A rate limit never takes the API down.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.request import Request

from core.ratelimit import PersonRateThrottle

logger = logging.getLogger(__name__)


class TokenRateThrottle(PersonRateThrottle):
    scope = "api"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if getattr(token, "allows", None) is not None and getattr(token, "pk", None) is not None:
            who = f"token:{token.pk}"
        elif request.user is not None and request.user.is_authenticated:
            who = f"person:{request.user.pk}"
        else:
            who = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": who}

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - fail open: a rate limit never takes the API down
            logger.warning("API rate limit not checked: cache unavailable")
            return True
