"""The measurements of ``make bench``: each page against its floor B and its admin changelist, the
dashboard cold and warm, the PDFs, the reminder sweep, the access scoping alone and JIT.

Pages are requested in process with django.test.Client, signed in as the bench's people with a
verified second factor (as tests/mfa.py marks a session), through the bench URLconf. After warm-up
requests, each round asks for the page, its floor B and its admin changelist in turn, so all three
see the same machine. Queries are counted on one extra request of each (CaptureQueriesContext),
not on the timed ones. The access events the pages write are deleted again at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.template.loader import get_template
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts import mfa
from accounts.models import AccessEvent, User
from cases import access
from devtools.bench.dataset import BenchData
from devtools.bench.floors import admin_changelist_url, floor_url
from devtools.bench.pages import Page, pages_and_floors
from devtools.bench.report import Results, Row, Timing

# The targets (issue 14).
LIST_RATIO = 2.0
COMPOSITE_RATIO = 3.0
MAX_QUERIES = 12
SCOPING_MS = 2.0
DASHBOARD_COLD_MS = 500.0
FORMULATION_PDF_S = 1.0
SUMMARY_PDF_S = 1.5
SWEEP_S = 1.0


class Rollback(Exception):
    """Raised to undo what a measurement made."""


def signed_in_client(user: User) -> Client:
    """A client signed in as the person, second factor given (as tests/mfa.py's complete_second_factor)."""
    client = Client(raise_request_exception=True)
    client.force_login(user, backend="accounts.backends.EcmModelBackend")
    session = client.session
    session[mfa.SESSION_KEY] = mfa.session_state(user_pk=user.pk, state=mfa.VERIFIED, method=mfa.METHOD_TOTP)
    session.save()
    return client


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return seconds


def _counted(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries), [query["sql"] for query in captured.captured_queries]


@contextmanager
def bench_settings() -> Iterator[None]:
    """The bench URLconf, production-like settings (DEBUG off) and an in-process cache it may clear."""
    with override_settings(
        ROOT_URLCONF="devtools.bench.urls",
        DEBUG=False,
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ecm-bench"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        # A page is asked for many times a minute by one person: the limiter still counts (its cost is
        # measured), but never refuses.
        ECM_RATE_LIMITS={scope: "1000000/m" for scope in settings.ECM_RATE_LIMITS},
    ):
        yield


def measure_pages(
    pages: list[Page], clients: dict[str, Client], *, warmup: int, repeat: int, results: Results, say: Any
) -> dict[str, tuple[Timing, Timing, Timing | None]]:
    timings: dict[str, tuple[Timing, Timing, Timing | None]] = {}
    for page in pages:
        client = clients[page.persona]
        urls = [page.url, floor_url(page.key)]
        if page.admin:
            urls.append(admin_changelist_url(page.key))
        measured = [Timing() for _ in urls]
        for url in urls:
            for _ in range(warmup):
                _get(client, url)
        for timing, url in zip(measured, urls, strict=True):
            timing.queries, sql = _counted(client, url)
            if url == page.url:
                results.captured[page.name] = sql
        for round_number in range(repeat):
            # Alternate which goes first, so neither always follows the other.
            order = list(zip(measured, urls, strict=True))
            if round_number % 2:
                order.reverse()
            for timing, url in order:
                timing.seconds.append(_get(client, url))
        timings[page.name] = (measured[0], measured[1], measured[2] if page.admin else None)
        say(f"  {page.name}: {measured[0].p50:.1f} ms, floor {measured[1].p50:.1f} ms")
    return timings


def measure_dashboard(client: Client, *, repeat: int, results: Results, say: Any) -> None:
    url = "/reports/"
    _get(client, url)
    cold, warm = Timing(), Timing()
    cache.clear()
    # Counted with the reports made one after another, so the queries a helper connection runs are counted too.
    with override_settings(ECM_REPORT_CONNECTIONS=1):
        cold.queries, results.captured["dashboard, a year, all services (cold)"] = _counted(client, url)
    warm.queries, _ = _counted(client, url)
    for _ in range(repeat):
        cache.clear()
        cold.seconds.append(_get(client, url))
    for _ in range(repeat):
        warm.seconds.append(_get(client, url))
    name = "dashboard, a year, all services"
    results.rows.append(
        Row(f"{name} (cold)", cold.p50, cold.p95, cold.queries, target=f"≤ {DASHBOARD_COLD_MS:.0f} ms cold")
    )
    results.rows[-1].ok = results.check(
        f"{name}: cold", cold.p50, "ms", f"≤ {DASHBOARD_COLD_MS:.0f}", cold.p50 <= DASHBOARD_COLD_MS
    )
    results.rows.append(Row(f"{name} (warm)", warm.p50, warm.p95, warm.queries, target="from the cache when warm"))
    # Warm, the figures come from the per-scope, per-day cache: fewer queries than cold.
    results.rows[-1].ok = results.check(
        f"{name}: warm, served from the cache",
        warm.queries,
        "queries",
        f"< {cold.queries} (cold)",
        warm.queries < cold.queries,
    )
    results.check(f"{name}: queries", cold.queries, "queries", f"≤ {MAX_QUERIES}", cold.queries <= MAX_QUERIES)
    say(f"  dashboard: cold {cold.p50:.0f} ms, warm {warm.p50:.0f} ms")


def page_checks(pages: list[Page], timings: dict[str, tuple[Timing, Timing, Timing | None]], results: Results) -> None:
    for page in pages:
        timing, floor, admin = timings[page.name]
        limit = COMPOSITE_RATIO if page.composite else LIST_RATIO
        ratio = timing.p50 / floor.p50
        ok_ratio = results.check(f"{page.name}: vs floor B", ratio, "x", f"≤ {limit:g}", ratio <= limit)
        ok_queries = results.check(
            f"{page.name}: queries", timing.queries, "queries", f"≤ {MAX_QUERIES}", timing.queries <= MAX_QUERIES
        )
        results.rows.append(
            Row(
                page.name,
                timing.p50,
                timing.p95,
                timing.queries,
                floor.p50,
                ratio,
                f"≤ {limit:g}x, ≤ {MAX_QUERIES} q",
                ok_ratio and ok_queries,
            )
        )
        if admin is not None:
            vs_admin = timing.p50 / admin.p50
            ok = results.check(f"{page.name}: vs admin changelist", vs_admin, "x", "< 1", vs_admin < 1)
            results.rows.append(
                Row(
                    "  same rows, admin changelist",
                    admin.p50,
                    admin.p95,
                    admin.queries,
                    None,
                    vs_admin,
                    "page/admin < 1",
                    ok,
                )
            )
    # Query counts stay constant as rows grow.
    for small, big in (
        ("case page, 10 contacts", "case page, 5,000 contacts"),
        ("chronology, 10 rows", "chronology, 5,000 rows"),
        ("contacts, 10 rows", "contacts, 5,000 rows"),
        ("caseload, all statuses (sees 50)", "caseload, all statuses (sees 5,000)"),
    ):
        if small in timings and big in timings:
            grown = timings[big][0].queries - timings[small][0].queries
            results.check(f"{big}: queries grow with rows (vs {small})", grown, "queries", "≤ 0", grown <= 0)


def measure_scoping(user: User, *, repeat: int, results: Results) -> None:
    """The access scoping for the person who sees 5,000 cases: their standing read, then the scoped
    query run over every case they see (counted in the database, so the time is the scoping and not
    moving 5,000 ids into Python; that is shown beside it for comparison)."""

    def timed(work: Callable[[], int]) -> tuple[Timing, int]:
        seconds, value = [], 0
        for run in range(repeat + 2):
            started = time.perf_counter()
            value = work()
            if run >= 2:
                seconds.append(time.perf_counter() - started)
        return Timing(seconds, queries=2), value

    timing, count = timed(lambda: access.visible_cases(user).count())
    ok = results.check(
        "access scoping, sees 5,000 cases", timing.p50, "ms", f"≤ {SCOPING_MS:g}", timing.p50 <= SCOPING_MS
    )
    results.rows.append(
        Row(
            f"access scoping ({count:,} cases, standing + scoped count)",
            timing.p50,
            timing.p95,
            2,
            target=f"≤ {SCOPING_MS:g} ms",
            ok=ok,
        )
    )
    fetched, _ = timed(lambda: len(list(access.visible_cases(user).values_list("id", flat=True))))
    results.rows.append(Row("  the same, fetching the ids into Python", fetched.p50, fetched.p95, 2))
    with CaptureQueriesContext(connection) as captured:
        access.visible_cases(user).count()
    results.captured["access scoping alone"] = [query["sql"] for query in captured.captured_queries]


def _median_of(work: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), seconds


def measure_pdfs(commissioner: User, *, runs: int, results: Results, say: Any) -> None:
    from core.documents.rendering import render_pdf
    from devtools.management.commands.benchmark_report_pdf import Command as ReportPdfBenchmark
    from formulation.documents import report_pdf_render
    from formulation.models import DocumentKind
    from reporting.documents import TEMPLATE, summary_pdf_context
    from reporting.models import SummaryDocument

    try:
        with transaction.atomic():
            report = ReportPdfBenchmark()._invented_report()
            report_pdf_render(report=report, kind=DocumentKind.FULL)  # warm-up: fonts and templates
            median, seconds = _median_of(lambda: report_pdf_render(report=report, kind=DocumentKind.FULL), runs)
            raise Rollback
    except Rollback:
        pass
    ok = results.check("formulation report PDF", median, "s", f"≤ {FORMULATION_PDF_S:g}", median <= FORMULATION_PDF_S)
    results.rows.append(
        Row(
            "formulation report PDF (full)",
            median * 1000,
            max(seconds) * 1000,
            target=f"≤ {FORMULATION_PDF_S:g} s",
            ok=ok,
        )
    )
    today = timezone.localdate()
    try:
        with transaction.atomic():
            document = SummaryDocument.objects.create(
                requested_by=commissioner, start=today - dt.timedelta(days=91), end=today, agency_ids=[]
            )

            def summary() -> Any:
                return render_pdf(template_name=TEMPLATE, context=summary_pdf_context(document))

            summary()
            median, seconds = _median_of(summary, runs)
            raise Rollback
    except Rollback:
        pass
    ok = results.check("quarterly summary PDF", median, "s", f"≤ {SUMMARY_PDF_S:g}", median <= SUMMARY_PDF_S)
    results.rows.append(
        Row(
            "quarterly summary PDF, all services",
            median * 1000,
            max(seconds) * 1000,
            target=f"≤ {SUMMARY_PDF_S:g} s",
            ok=ok,
        )
    )
    say(f"  PDFs: formulation {results.rows[-2].p50 or 0:.0f} ms, summary {median * 1000:.0f} ms")


def measure_sweep(*, runs: int, results: Results, say: Any) -> None:
    from reviews.reminders import reminders_sweep

    seconds = []
    made = 0
    try:
        with transaction.atomic():
            for _ in range(runs):
                savepoint = transaction.savepoint()
                started = time.perf_counter()
                made = sum(reminders_sweep().values())
                seconds.append(time.perf_counter() - started)
                transaction.savepoint_rollback(savepoint)
            raise Rollback
    except Rollback:
        pass
    median = statistics.median(seconds)
    ok = results.check("reminder sweep, national scale", median, "s", f"≤ {SWEEP_S:g}", median <= SWEEP_S)
    results.rows.append(
        Row(
            f"reminder sweep ({made:,} reminders due)",
            median * 1000,
            max(seconds) * 1000,
            target=f"≤ {SWEEP_S:g} s",
            ok=ok,
        )
    )
    say(f"  reminder sweep: {median * 1000:.0f} ms")


def explain_for_jit(results: Results, say: Any) -> None:
    """EXPLAIN (ANALYZE, FORMAT JSON) every SELECT the measured requests ran; does any pay JIT compilation?"""
    paying: list[tuple[str, float]] = []
    explained = 0
    for name, statements in results.captured.items():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    if sql.strip().upper().startswith("SET LOCAL JIT"):
                        cursor.execute(sql)  # as reporting's report_transaction does
                        continue
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                    explained += 1
                    [(plan,)] = cursor.fetchall()
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    jit = plan[0].get("JIT")
                    if jit:
                        paying.append((name, float(jit.get("Timing", {}).get("Total", 0.0))))
                raise Rollback
        except Rollback:
            pass
    pages = sorted({name for name, _ in paying})
    results.check("no request pays JIT compilation", len(paying), "queries with JIT", "0", not paying)
    results.rows.append(
        Row(
            f"JIT: {len(paying)} of {explained} queries compile",
            max((ms for _, ms in paying), default=None),
            queries=len(paying),
            target="no JIT",
            ok=not paying,
        )
    )
    results.notes.append("JIT compiles in: " + (", ".join(pages) if pages else "no request"))
    say(f"  JIT: {len(paying)} of {explained} queries")


def not_measured_here(results: Results) -> None:
    """The issue's throughput targets need a server and load: `make loadtest` measures them and writes
    bench-results/loadtest.json; its latest figures are copied here (a failing placeholder if none)."""
    names = ("caseload under gunicorn vs floor B under gunicorn", "locust, 200 users, 5 minutes, mixed journeys")
    found: dict[str, dict[str, Any]] = {}
    loadtest = Path(settings.BASE_DIR) / "bench-results" / "loadtest.json"
    if loadtest.exists():
        found = {check["name"]: check for check in json.loads(loadtest.read_text())["checks"] if check["name"] in names}
    for name, unit, target in zip(names, ("x", "errors"), ("≥ 0.8 (make loadtest)", "0 (make loadtest)"), strict=True):
        check = found.get(name)
        if check is None:
            results.check(name, None, unit, target, False)
        else:
            results.check(name, check["value"], check["unit"], f"{check['target']} (make loadtest)", check["ok"])


def measure_machine(*, runs: int, results: Results, say: Any) -> None:
    """How fast this machine does a fixed piece of work, in Python and in PostgreSQL, so that a figure measured here
    can be set against one from another machine (a slower machine is not a slower page): a 50-row table of ten
    columns rendered 100 times by Django's template engine (the floor's template), and PostgreSQL counting two
    million generated rows without JIT. Medians of `runs`; lower is faster."""
    rows = [[f"cell {row}-{column}" for column in range(10)] for row in range(50)]
    context = {"name": "machine", "headings": [f"heading {column}" for column in range(10)], "rows": rows}
    template = get_template("devtools/bench_floor.html")

    def render() -> None:
        for _ in range(100):
            template.render(context)

    def count() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")
            cursor.fetchall()

    render()
    python, _ = _median_of(render, runs)
    postgres, _ = _median_of(count, runs)
    speed = results.machine_speed = {"python_ms": round(python * 1000), "postgresql_ms": round(postgres * 1000)}
    results.notes.append(
        f"Machine speed (the same work on every machine; lower is faster): a 50-row table rendered 100 times "
        f"{speed['python_ms']:,} ms; PostgreSQL counting 2,000,000 rows {speed['postgresql_ms']:,} ms."
    )
    say(f"  machine: Python {speed['python_ms']} ms, PostgreSQL {speed['postgresql_ms']} ms (reference work)")


# --- The whole run ---------------------------------------------------------------------------------


def run(
    data: BenchData,
    *,
    warmup: int = 2,
    repeat: int = 20,
    slow_repeat: int = 5,
    say: Any = print,
    only: set[str] | None = None,
) -> Results:
    """Every measurement; the access events and sessions it writes are removed afterwards."""
    results = Results()
    people = {name: User.objects.get(pk=getattr(data.people, name)) for name in (
        "case_manager", "wide_psychologist", "partner", "administrator", "commissioner")}  # fmt: skip
    last_event = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clients: dict[str, Client] = {}
    try:
        with bench_settings():
            clients = {name: signed_in_client(user) for name, user in people.items()}
            measure_machine(runs=slow_repeat, results=results, say=say)
            pages = [page for page in pages_and_floors(data) if only is None or page.key in only]
            timings = measure_pages(pages, clients, warmup=warmup, repeat=repeat, results=results, say=say)
            page_checks(pages, timings, results)
            if only is None or "dashboard" in only:
                measure_dashboard(clients["commissioner"], repeat=slow_repeat, results=results, say=say)
            measure_scoping(people["wide_psychologist"], repeat=repeat, results=results)
            if only is None or "pdf" in only:
                measure_pdfs(people["commissioner"], runs=max(1, slow_repeat // 2), results=results, say=say)
            measure_sweep(runs=max(1, slow_repeat // 2), results=results, say=say)
            explain_for_jit(results, say)
            not_measured_here(results)
    finally:
        _clean_up(last_event, clients)
    return results


def _clean_up(last_event: int, clients: dict[str, Client]) -> None:
    """Remove the access events the measured pages wrote (the log is append-only: triggers skipped)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        AccessEvent.objects.filter(pk__gt=last_event).delete()
    keys = [client.session.session_key for client in clients.values()]
    Session.objects.filter(session_key__in=[key for key in keys if key]).delete()


# --- Output ----------------------------------------------------------------------------------------
