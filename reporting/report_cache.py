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
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from reporting.figures import Report, build_report
from reporting.indicators import Funnel, load_funnel
from reporting.queries import report_transaction
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
    [report] = cached_reports([scope])
    return report


def cached_reports(scopes: Sequence[ReportScope]) -> list[Report]:
    """The published reports for several scopes (a period and the one it is compared with; services side by side),
    in order: each from the day's cache when its services have not changed, else made now.

    Those not cached are made side by side on up to ECM_REPORT_CONNECTIONS database connections: each report is one
    statement that keeps one PostgreSQL backend busy, so a cold dashboard takes about as long as one report, not two.
    Inside a transaction (a test's, or any caller's) they are made one after another on its connection, which alone
    sees what the transaction wrote."""
    funnel = load_funnel("mental_health")
    keys = [report_key(scope, funnel) for scope in scopes]
    reports: list[Report | None] = [_cached(key) if key is not None else None for key in keys]
    missing = [index for index, report in enumerate(reports) if report is None]
    for index, report in _made_and_kept(scopes, keys, missing):
        reports[index] = report
    return [report for report in reports if report is not None]


def reports_prepared(scopes: Sequence[ReportScope]) -> int | None:
    """Make and keep today's reports for those of `scopes` not kept yet, without reading back those that are (as
    the morning's preparation does: reporting/prepare.py). How many were made; None when there is no cache to keep
    them in, and then nothing is made."""
    funnel = load_funnel("mental_health")
    keys = [report_key(scope, funnel) for scope in scopes]
    if None in keys:
        return None
    missing = [index for index, key in enumerate(keys) if not cache.has_key(key)]
    return len(_made_and_kept(scopes, keys, missing))


def _made_and_kept(
    scopes: Sequence[ReportScope], keys: Sequence[str | None], missing: list[int]
) -> list[tuple[int, Report]]:
    """Make the reports at `missing` (`_made`) and keep each under its key until midnight."""
    made = _made(scopes, missing)
    for index, report in made:
        key = keys[index]
        if key is not None:
            cache.set(key, report, timeout=_seconds_left_today())
    return made


def reports_compared(scope: ReportScope, earlier_scope: ReportScope | None) -> tuple[Report, Report | None]:
    """The report for `scope` and, when there is one, the report it is compared with (made side by side if not
    cached)."""
    if earlier_scope is None:
        return cached_report(scope), None
    report, earlier = cached_reports([scope, earlier_scope])
    return report, earlier


def _made(scopes: Sequence[ReportScope], missing: list[int]) -> list[tuple[int, Report]]:
    """Make the reports at `missing`: here, and meanwhile on connections of their own when more than one is missing.
    Each connection takes every n-th report (n connections in all)."""

    def make(share: list[int]) -> list[tuple[int, Report]]:
        if not share:
            return []
        with report_transaction():  # one transaction for the connection's share, JIT off once
            return [(index, build_report(scopes[index])) for index in share]

    n = min(settings.ECM_REPORT_CONNECTIONS, len(missing))
    if n < 2 or connection.in_atomic_block:
        return make(missing)

    def make_apart(share: list[int]) -> list[tuple[int, Report]]:
        try:
            return make(share)
        finally:
            connections.close_all()  # this thread's own connection, opened for these reports

    with ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="ecm-report") as pool:
        apart = [pool.submit(make_apart, missing[helper::n]) for helper in range(1, n)]
        made = make(missing[0::n])
        for future in apart:
            made.extend(future.result())
    return made
