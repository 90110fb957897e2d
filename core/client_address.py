"""The address a request really came from, behind the reverse proxies ECM is told to trust.

One answer for everything that keys on the client: the sign-in lockout (django-axes, through
AXES_CLIENT_IP_CALLABLE), the rate limits (core/ratelimit.py) and the access log.

Each trusted proxy appends the address it was connected from to X-Forwarded-For, so behind
ECM_PROXY_COUNT proxies the client is the entry that many places from the right. Anything to its
left was sent by the client itself and is never believed (it is trivially spoofed).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the rightmost-but-N X-Forwarded-For entry behind N proxies."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "ECM_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        # Fewer entries than trusted proxies: the request did not come through all of them. The
        # connecting address is the only one that cannot be made up.
        return remote
    return _valid(hops[-proxies]) or remote


def _valid(candidate: str) -> str | None:
    """The address as a plain IP (the access log's column takes nothing else), or None."""
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None
