"""Rate limits: how often one person (or, before sign-in, one address) may do something costly.

Counted in fixed windows in the Django cache (Redis). Redis is an accelerator here too: when it is
down, or the count cannot be read, the request is allowed and the page never fails (fail open).
The sign-in lockout (django-axes) does not depend on this; the forgotten-password form's hourly limits
per address and per e-mail address are counted here too (accounts.views, `within_limit`).

Limits are `settings.ECM_RATE_LIMITS[scope]`, written "<count>/<period>" with the period s, m, h
or d (DRF's format), so the API's throttle reads the same setting.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle

from core.client_address import client_address

logger = logging.getLogger(__name__)

RATE_FORMAT = re.compile(r"^\s*(\d+)\s*/\s*([smhd])[a-z]*\s*$")
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}

Per = Literal["person", "address"]


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'30/m' -> 30 a minute. Raises ValueError for anything else."""
        match = RATE_FORMAT.match(text)
        if match is None:
            raise ValueError(f"a rate is written like 30/m (count / s, m, h or d), not {text!r}")
        return cls(limit=int(match.group(1)), seconds=PERIOD_SECONDS[match.group(2)])


@dataclass(frozen=True)
class Wording:
    """What the 429 page says: what the person did too often, in their words."""

    heading: str
    reason: str


WORDING = {
    "search": Wording("You have searched too many times", "ECM limits how often one person can search."),
    "duplicate_check": Wording(
        "You have checked too many times whether a child already has a record",
        "ECM limits how often one person can check whether a child already has a record.",
    ),
    "sign_in": Wording("There have been too many attempts to sign in", "ECM limits sign-in attempts from one place."),
    "password_reset": Wording(
        "There have been too many requests to reset a password",
        "ECM limits requests for password reset links from one place.",
    ),
}


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.ECM_RATE_LIMITS[scope])


def within_limit(scope: str, who: str, rate: Rate) -> bool:
    """Count one request by `who` in `scope`; False once more than the limit came in this window.

    Any cache failure (Redis down, the key evicted mid-way) allows the request.
    """
    if not who:
        return True
    key = _key(scope, who, rate)
    try:
        cache.add(key, 0, timeout=rate.seconds + 5)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - fail open: a rate limit never takes a page down
        logger.warning("rate limit for %s not checked: cache unavailable", scope)
        return True
    return int(count) <= rate.limit


def _key(scope: str, who: str, rate: Rate) -> str:
    window = int(time.time() // rate.seconds)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def count_so_far(scope: str, who: str, rate: Rate) -> int | None:
    """How many requests by `who` this window has counted (None when none, or the cache is unreadable)."""
    try:
        count = cache.get(_key(scope, who, rate))
    except Exception:  # noqa: BLE001 - same as counting: an unreadable cache is no answer
        return None
    return None if count is None else int(count)


def _who(request: HttpRequest, per: Per) -> str:
    if per == "person":
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"person:{user.pk}"
    return f"address:{client_address(request) or ''}"


def rate_limited(request: HttpRequest, scope: str, *, per: Per) -> HttpResponse | None:
    """Count this request; the 429 page if it is over `scope`'s limit, else None (go on)."""
    rate = rate_for(scope)
    if within_limit(scope, _who(request, per), rate):
        return None
    logger.warning("rate limit %s reached (%s)", scope, per)
    return too_many_requests(request, scope, rate)


def too_many_requests(request: HttpRequest, scope: str, rate: Rate) -> HttpResponse:
    """The GOV.UK page for a request over its limit: 429, what happened and when to try again."""
    wait = rate.seconds - int(time.time()) % rate.seconds
    context = {"wording": WORDING[scope], "try_again": _try_again(rate.seconds)}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _try_again(period_seconds: int) -> str:
    if period_seconds <= 60:
        return "Try again in a minute."
    if period_seconds <= 60 * 60:
        return "Try again in an hour."
    return "Try again tomorrow."


class PersonRateThrottle(UserRateThrottle):
    """The API's throttle (DRF, answering 429 JSON): per person, at ECM_RATE_LIMITS["api"].

    The rate is read from settings on every request (DRF's own reads it once, at import), and an
    anonymous request is keyed on the real client address. DRF keeps its counts in the same cache,
    whose reads miss while Redis is down: the API is then not throttled rather than unavailable.
    """

    scope = "person"

    def get_rate(self) -> str:
        return str(settings.ECM_RATE_LIMITS["api"])

    def get_ident(self, request: Request) -> str:
        return client_address(request._request) or ""
