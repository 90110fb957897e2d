"""The reports as published, kept per scope and per day, and the generations that retire them.

A cached report is the finished `Report`: its cells are already suppressed (reporting/figures/),
so no raw count is ever stored. The key is a digest of everything the report depends on: the
exact services (ids and names, in order), the period, the day it is made on (overdue actions
are judged on it), the indicator definitions' version, and the current generation of each
service and of the reference data. A person reaches an entry only by asking for exactly that
scope, which the access module has already allowed them.

A generation is a counter per service in the cache. A write of a service's data raises it after
the commit (reporting/invalidation.py), so every key that included the service changes and the old
entries are never read again; they end at midnight with the rest of the day's. A missing counter
(never raised, or lost with Redis's memory) starts from the clock in nanoseconds, never from a
value an older key could have used.

Redis is an accelerator: when it does not answer (config/cache.py turns its errors into misses),
the report is computed as if nothing were cached, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.utils import timezone

from reporting.figures import Report, build_report
from reporting.indicators import Funnel, load_funnel
from reporting.scope import ReportScope

logger = logging.getLogger(__name__)

# Raise when a figure's definition or the shape of `Report` changes: every older entry is then unread.
REPORT_VERSION = 4  # 3: counts published as ranges of five (issue 15); 4: key figures, months, charts (issue 18)
EVERYTHING = "everything"


def _generation_key(service: int | str) -> str:
    return f"reporting:generation:{service}"


def _fresh() -> int:
    return time.time_ns()


def generations_bump(services: Iterable[int], *, everything: bool = False) -> None:
    """Retire every cached report that includes one of `services` (or every report, for the reference data)."""
    keys = [_generation_key(service) for service in sorted(set(services))]
    if everything:
        keys.append(_generation_key(EVERYTHING))
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # missing (or Redis unreachable: then this does nothing either)
            cache.set(key, _fresh(), timeout=None)


def _generations(services: list[int]) -> list[int] | None:
    """The current generation of each service and of the reference data; None when the cache does not answer."""
    keys = [_generation_key(service) for service in services] + [_generation_key(EVERYTHING)]
    found = cache.get_many(keys)
    for key in keys:
        if key in found:
            continue
        fresh = _fresh()
        if cache.add(key, fresh, timeout=None):
            found[key] = fresh
            continue
        current = cache.get(key)  # someone else started it meanwhile, or the cache is unreachable
        if current is None:
            return None
        found[key] = current
    return [int(found[key]) for key in keys]


def report_key(scope: ReportScope, funnel: Funnel) -> str | None:
    """The cache key of the report for exactly this scope, today, as its services' data stand; None without a cache."""
    generations = _generations(scope.agency_ids)
    if generations is None:
        return None
    depends_on = (
        REPORT_VERSION,
        funnel.indicator,
        funnel.version,
        scope.start.isoformat(),
        scope.end.isoformat(),
        scope.today.isoformat(),
        [(agency.pk, agency.name) for agency in scope.agencies],
        generations,
    )
    return "reporting:report:" + hashlib.sha256(repr(depends_on).encode()).hexdigest()


def _seconds_left_today() -> int:
    now = timezone.localtime()
    midnight = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time.min))
    return max(60, int((midnight - now).total_seconds()))


def _cached(key: str) -> Report | None:
    try:
        report = cache.get(key)
    except Exception:  # an entry this code can no longer read (written by another release): a miss
        logger.warning("reports' cache: an entry could not be read; the report is made again", exc_info=True)
        return None
    return report if isinstance(report, Report) else None


def cached_report(scope: ReportScope) -> Report:
    """The published report for the scope: from the day's cache when its services have not changed, else made now."""
    funnel = load_funnel("mental_health")
    key = report_key(scope, funnel)
    if key is not None:
        report = _cached(key)
        if report is not None:
            return report
    report = build_report(scope)
    if key is not None:
        cache.set(key, report, timeout=_seconds_left_today())
    return report
