"""The project's cache backend: Redis as an accelerator that may disappear without taking pages down.

`ResilientRedisCache` is Django's `RedisCache` whose every operation treats a Redis failure
(refused, timed out, reset, refusing writes) as a miss: reads return the default, writes and
deletes do nothing, `incr`/`decr` answer as for a missing key (ValueError, Django's contract).
A warning is logged at most once every LOG_EVERY_SECONDS per process.

After a failure the backend stops asking Redis for SKIP_AFTER_FAILURE_SECONDS (a small circuit
breaker), so an outage costs a page nothing, not one timeout per cache call. `ping()` always asks
Redis and raises: the health check uses it.

Short `socket_connect_timeout` / `socket_timeout` in `CACHES[...]["OPTIONS"]` (redis-py
connection pool arguments) bound how long one attempt can wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What counts as "Redis is unavailable": every redis-py error (connection, timeout, MISCONF when
# its disk is full, read-only replica) and socket errors that escape it.
REDIS_UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError)

LOG_EVERY_SECONDS = 30.0
SKIP_AFTER_FAILURE_SECONDS = 2.0

T = TypeVar("T")


class _Outage:
    """Per-process memory of the last failure: when to ask Redis again, when a warning was logged."""

    def __init__(self) -> None:
        self.skip_until = 0.0
        self.logged_at = -LOG_EVERY_SECONDS
        self.lock = threading.Lock()

    def skipping(self) -> bool:
        return time.monotonic() < self.skip_until

    def failed(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.skip_until = now + SKIP_AFTER_FAILURE_SECONDS
            log = now - self.logged_at >= LOG_EVERY_SECONDS
            if log:
                self.logged_at = now
        if log:
            logger.warning(
                "cache unavailable (%s: %s): treated as a miss; Redis is skipped for %.0f s at a time",
                operation,
                type(error).__name__,
                SKIP_AFTER_FAILURE_SECONDS,
            )

    def recovered(self) -> None:
        self.skip_until = 0.0


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, degrading to "no cache" while Redis is unavailable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.outage = _Outage()

    def _guard(self, operation: str, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        if self.outage.skipping():
            return fallback()
        try:
            return call()
        except REDIS_UNAVAILABLE as error:
            self.outage.failed(operation, error)
            return fallback()

    def ping(self) -> bool:
        """Ask Redis now, whatever the breaker says; raises when it does not answer."""
        client = self._cache.get_client(None, write=True)  # type: ignore[attr-defined]
        answered = bool(client.ping())
        self.outage.recovered()
        return answered

    # Reads: a miss.
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guard("get", lambda: super(ResilientRedisCache, self).get(key, default, version), lambda: default)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        return self._guard("get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guard("has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), lambda: False)

    # Writes: nothing stored.
    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guard("set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), lambda: None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), lambda: False
        )

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._guard(
            "set_many", lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), lambda: []
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version), lambda: False
        )

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guard("delete", lambda: super(ResilientRedisCache, self).delete(key, version), lambda: False)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        keys = list(keys)
        self._guard("delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), lambda: None)

    def clear(self) -> None:
        self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), lambda: None)

    # Counters: as for a missing key (Django raises ValueError), so callers' own fallback applies.
    # (decr, get_or_set and the async methods go through these.)
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._guard("incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), _missing(key))


def _missing(key: Any) -> Callable[[], int]:
    def raise_missing() -> int:
        raise ValueError(f"Key '{key}' not found (the cache is unavailable)")

    return raise_missing
