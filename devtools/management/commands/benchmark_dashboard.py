"""How long the reports dashboard takes for a year across every youth justice service (median of 5 runs).

Run it after ``manage.py seed_scale``. Times, for the last 12 months over every active service:
each figure's query on its own, the whole report (every figure in one statement, then suppression
across the report), the dashboard page as a commissioner of every service gets it, cold (the
services' cached reports retired first, as a write would) and warm (from the per-scope, per-day
cache), and the quarterly summary PDF across the same services, cold and warm. The access events
and the summary the page and PDF write are rolled back, so the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
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
from reporting import queries, report_cache
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
            together = _timed(lambda: queries.report_figures(scope, funnel), runs)
            self.stdout.write(f"  every figure in one statement: {_summary(together)}")
        self.stdout.write(
            f"Whole report (every query and the suppression): {_summary(_timed(lambda: build_report(scope), runs))}"
        )
        commissioner, seen = self._widest_commissioner()
        if commissioner is None:
            self.stdout.write("No commissioner sees any service, so the page itself was not timed.")
            return
        request: Any = RequestFactory().get("/reports/")
        request.user = commissioner
        seen_ids = list(access.reportable_agencies(commissioner).values_list("pk", flat=True))

        def cold_page() -> Any:
            report_cache.generations_bump(seen_ids)  # as a write in each of their services would
            return dashboard(request)

        try:
            with transaction.atomic():
                cold = _timed(cold_page, runs)
                dashboard(request)
                warm = _timed(lambda: dashboard(request), runs)
                raise Rollback
        except Rollback:
            pass
        services = f"{seen} service{'' if seen == 1 else 's'}"
        self.stdout.write(f"Dashboard page as a commissioner of {services}: cold, {_summary(cold)}")
        self.stdout.write(f"Dashboard page as a commissioner of {services}: warm (cached), {_summary(warm)}")
        self._summary_pdf(commissioner, seen_ids, today, runs)

    def _summary_pdf(self, commissioner: Any, seen_ids: list[int], today: dt.date, runs: int) -> None:
        """The quarterly summary PDF across the commissioner's services, as the document job renders it."""
        from core.documents.rendering import render_pdf
        from reporting.documents import TEMPLATE, summary_pdf_context
        from reporting.models import SummaryDocument

        try:
            with transaction.atomic():
                document = SummaryDocument.objects.create(
                    requested_by=commissioner, start=today - dt.timedelta(days=91), end=today, agency_ids=[]
                )

                def render() -> Any:
                    return render_pdf(template_name=TEMPLATE, context=summary_pdf_context(document))

                def cold() -> Any:
                    report_cache.generations_bump(seen_ids)
                    return render()

                rendered = render()  # fonts and templates loaded once, as in a running worker
                cold_seconds = _timed(cold, runs)
                warm_seconds = _timed(render, runs)

                def cold_figures() -> Any:
                    report_cache.generations_bump(seen_ids)
                    return summary_pdf_context(document)

                figures = _timed(cold_figures, runs)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(f"Quarterly summary PDF ({rendered.pages} pages), cold: {_summary(cold_seconds)}")
        self.stdout.write(f"Quarterly summary PDF, warm (figures cached): {_summary(warm_seconds)}")
        self.stdout.write(f"  of which its figures, cold: {_summary(figures)}")

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
