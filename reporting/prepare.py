"""The day's first dashboards, made before the working day.

The dashboard's figures are kept per scope and per day (reporting/report_cache.py), so the first view of a day
makes them: for a commissioner across a region, one or two seconds, the slowest page anyone opens. Early each
morning (CELERY_BEAT_SCHEDULE "reports-prepare", or `manage.py reports_prepare`) this makes the dashboard each
person sees first (every service they may report on, the last 12 months, compared with the 12 before), for the
people who may read reports and have signed in lately. People who see the same services share one entry, made
once; the scopes seen by most people are made first.

A run stops starting new scopes after its time budget; the next run (every ten minutes until the working day)
goes on where it stopped, as every entry already kept is skipped. Without the cache (Redis down) nothing could be
kept, so nothing is made. A write later in the day retires the entries of its services as usual; the next view
makes them again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from reporting import comparison
from reporting.report_cache import reports_prepared
from reporting.scope import ReportScope, report_scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FirstDashboard:
    """The scopes of one first dashboard (the period and the one it is compared with) and how many people see it."""

    scopes: tuple[ReportScope, ...]
    people: int


@dataclass(frozen=True)
class Prepared:
    """What one run did: dashboards made now, found already kept, left for the next run (its time budget spent)."""

    made: int = 0
    kept_already: int = 0
    left: int = 0
    people: int = 0
    without_cache: bool = False

    def as_dict(self) -> dict[str, int | bool]:
        return {
            "made": self.made,
            "kept_already": self.kept_already,
            "left": self.left,
            "people": self.people,
            "without_cache": self.without_cache,
        }


def first_dashboards(today: dt.date) -> tuple[list[FirstDashboard], int]:
    """Each distinct first dashboard of today among the active people who may read reports and signed in within
    ECM_REPORTS_PREPARE["SIGNED_IN_WITHIN_DAYS"], the one seen by most people first; and how many people that is.

    The services are the access module's answer for each person, in the dashboard's own order
    (`reporting.scope.report_scope`), so each entry is exactly the one their first view asks for."""
    since = timezone.now() - dt.timedelta(days=settings.ECM_REPORTS_PREPARE["SIGNED_IN_WITHIN_DAYS"])
    seen: Counter[tuple[int, ...]] = Counter()
    scopes: dict[tuple[int, ...], ReportScope] = {}
    for person in User.objects.filter(is_active=True, last_login__gte=since).order_by("pk"):
        scope = report_scope(person, today=today)
        if not scope.agencies:  # may not read reports, or no service to report on
            continue
        services = tuple(scope.agency_ids)
        seen[services] += 1
        scopes.setdefault(services, scope)
    dashboards = []
    for services, people in sorted(seen.items(), key=lambda item: (-item[1], -len(item[0]), item[0])):
        scope = scopes[services]
        earlier = comparison.comparison_scope(scope, comparison.DEFAULT)
        dashboards.append(FirstDashboard(scopes=(scope,) if earlier is None else (scope, earlier), people=people))
    return dashboards, sum(seen.values())


def reports_prepare(today: dt.date | None = None, *, seconds: float | None = None) -> Prepared:
    """Make today's first dashboards not yet kept, until `seconds` (ECM_REPORTS_PREPARE["SECONDS"]) have passed."""
    today = today or timezone.localdate()
    budget = settings.ECM_REPORTS_PREPARE["SECONDS"] if seconds is None else seconds
    deadline = time.monotonic() + budget
    dashboards, people = first_dashboards(today)
    made = kept_already = 0
    for position, dashboard in enumerate(dashboards):
        if time.monotonic() >= deadline:
            prepared = Prepared(made, kept_already, len(dashboards) - position, people)
            break
        count = reports_prepared(dashboard.scopes)
        if count is None:
            prepared = Prepared(made, kept_already, len(dashboards) - position, people, without_cache=True)
            break
        if count:
            made += 1
        else:
            kept_already += 1
    else:
        prepared = Prepared(made, kept_already, 0, people)
    logger.info("Reports prepared for %s: %s", today.isoformat(), prepared.as_dict())
    return prepared
