"""How long the reports dashboard takes for a year across every youth justice service (median of 5 runs).

Run it after ``manage.py seed_scale``. Times, for the last 12 months over every active service:
each figure's query on its own, the whole report (every query, then suppression across the
report), and the dashboard page as a commissioner of every service gets it (the report and the
template). The access events the page writes are rolled back, so the database is left as it was.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Agency, AgencyKind, Membership, Role
from cases import access
from reporting import queries
from reporting.figures import build_report
from reporting.indicators import load_funnel
from reporting.scope import ReportScope, default_period
from reporting.views import dashboard


class Rollback(Exception):
    """Raised to undo the access events the timed page views wrote."""


def _timed(work: Callable[[], Any], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def _summary(seconds: list[float]) -> str:
    runs = ", ".join(f"{run * 1000:.0f}" for run in seconds)
    return f"median {statistics.median(seconds) * 1000:,.0f} ms of {len(seconds)} ({runs} ms)"


class Command(BaseCommand):
    help = "Time the reports dashboard for the last 12 months across every youth justice service (median of 5)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5, help="timed runs of each (the median is shown)")

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        today = timezone.localdate()
        start, end = default_period(today)
        agencies = tuple(Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, is_active=True).order_by("name"))
        if not agencies:
            raise CommandError("There are no youth justice services: run manage.py seed_scale first")
        scope = ReportScope(start=start, end=end, agencies=agencies, today=today)
        population = queries.population_count(scope)
        self.stdout.write(
            f"The dashboard for {scope.period_text} across {len(agencies)} services "
            f"({population:,} cases open in the period; {self._size()})."
        )
        funnel = load_funnel("mental_health")
        figures: dict[str, Callable[[], Any]] = {
            "referrals by service and month": lambda: queries.referrals_by_agency_and_period(scope),
            "triage outcomes": lambda: queries.triage_outcomes(scope),
            "waiting times": lambda: queries.waiting_times(scope),
            "meetings held": lambda: queries.meetings_held(scope),
            "attendance": lambda: queries.attendance_by_agency_kind(scope),
            "TRM stages": lambda: queries.stage_distribution(scope),
            "TRM movement": lambda: queries.stage_movement(scope),
            "days in stage": lambda: queries.days_in_stage(scope),
            "actions": lambda: queries.actions_by_owner_kind(scope),
            "case holder changes": lambda: queries.holder_changes(scope),
            "consultations": lambda: queries.consultations_by_agency(scope),
            "goal-based outcomes": lambda: queries.goal_change(scope),
            "mental health funnel": lambda: queries.funnel_counts(scope, funnel),
            "demographics": lambda: queries.demographics(scope),
        }
        with queries.report_transaction():  # as build_report runs them
            for name, work in figures.items():
                self.stdout.write(f"  {name}: {_summary(_timed(work, runs))}")
        self.stdout.write(
            f"Whole report (every query and the suppression): {_summary(_timed(lambda: build_report(scope), runs))}"
        )
        commissioner, seen = self._widest_commissioner()
        if commissioner is None:
            self.stdout.write("No commissioner sees any service, so the page itself was not timed.")
            return
        request: Any = RequestFactory().get("/reports/")
        request.user = commissioner
        try:
            with transaction.atomic():
                page = _timed(lambda: dashboard(request), runs)
                raise Rollback
        except Rollback:
            pass
        services = f"{seen} service{'' if seen == 1 else 's'}"
        self.stdout.write(f"Dashboard page as a commissioner of {services}: {_summary(page)}")

    def _size(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            [(size,)] = cursor.fetchall()
        return f"database {size}"

    def _widest_commissioner(self) -> tuple[Any, int]:
        """The commissioner who sees the most services, and how many."""
        widest, seen = None, 0
        for membership in Membership.objects.filter(role=Role.COMMISSIONER, is_active=True).select_related("user"):
            count = access.reportable_agencies(membership.user).count()
            if count > seen:
                widest, seen = membership.user, count
        return widest, seen
