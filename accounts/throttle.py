"""Counting requests per hour in Redis, for pages anyone can post to (the forgotten-password form).

Redis is an accelerator here too: if it is down the request is allowed, and the page never fails.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

HOUR = 60 * 60


def within_hourly_limit(scope: str, value: str, limit: int) -> bool:
    """Count one request for `value` in `scope`; False once more than `limit` came in this hour."""
    if not value:
        return True
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    key = f"throttle:{scope}:{digest}"
    try:
        cache.add(key, 0, timeout=HOUR)
        count = cache.incr(key)
    except Exception:  # noqa: BLE001 - any cache failure (Redis down, key evicted) allows the request
        logger.warning("rate limit for %s not checked: cache unavailable", scope)
        return True
    return int(count) <= limit
