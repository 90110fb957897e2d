"""What ``make loadtest`` prints and writes: the throughput of the caseload against its floor B, the
locust figures per journey step, and bench-results/loadtest.json in the shape of ``make bench``'s
latest.json (devtools/bench/report.py)."""

from __future__ import annotations

from devtools.bench.report import Results
from devtools.loadtest.locust_run import LocustResult
from devtools.loadtest.throughput import Rate

THROUGHPUT_RATIO = 0.8  # issue 14: the caseload at least 0.8x its floor B, both under gunicorn
THROUGHPUT_CHECK = "caseload under gunicorn vs floor B under gunicorn"


def locust_check_name(users: int, minutes: float) -> str:
    return f"locust, {users} users, {minutes:g} minutes, mixed journeys"


def checks(results: Results, *, page: Rate, floor: Rate, locust: LocustResult, users: int, minutes: float) -> Results:
    ratio = page.per_second / floor.per_second if floor.per_second else 0.0
    results.check(THROUGHPUT_CHECK, ratio, "x", f"≥ {THROUGHPUT_RATIO:g}", ratio >= THROUGHPUT_RATIO)
    errors = page.errors + floor.errors
    results.check("caseload and floor B under gunicorn: errors", errors, "errors", "0", errors == 0)
    requests = locust.total.requests if locust.total else 0
    results.check(
        locust_check_name(users, minutes), locust.failures, "errors", "0", locust.failures == 0 and requests > 0
    )
    results.check("gunicorn: caseload (case manager)", page.per_second, "requests/s", "reported", True)
    results.check("gunicorn: floor B of the caseload", floor.per_second, "requests/s", "reported", True)
    if locust.total:
        results.check("locust: requests served", locust.total.requests, "requests", "reported", True)
        results.check("locust: requests per second", locust.total.per_second, "requests/s", "reported", True)
        results.check("locust p95: all requests", locust.total.p95, "ms", "reported", True)
    for journey in locust.journeys:
        results.check(f"locust p95: {journey.name}", journey.p95, "ms", "reported", True)
    return results


def table(*, page: Rate, floor: Rate, connections: int, locust: LocustResult, users: int, minutes: float) -> str:
    ratio = page.per_second / floor.per_second if floor.per_second else 0.0
    lines = [
        f"Throughput, gunicorn ({connections} connections, {page.seconds:.0f} s each, alternating):",
        f"  caseload (case manager)   {page.per_second:8.1f} requests/s  ({page.answered:,} answered, "
        f"{page.errors} errors)",
        f"  its floor B               {floor.per_second:8.1f} requests/s  ({floor.answered:,} answered, "
        f"{floor.errors} errors)",
        f"  caseload / floor B        {ratio:8.2f}x  (target ≥ {THROUGHPUT_RATIO:g}x: "
        f"{'met' if ratio >= THROUGHPUT_RATIO else 'NOT met'})",
        "",
        f"Locust, {users} users, {minutes:g} minutes, every role's journey (p50 / p95 in ms):",
    ]
    rows = [["journey step", "requests", "failures", "p50", "p95", "req/s"]]
    for journey in [*locust.journeys, *([locust.total] if locust.total else [])]:
        rows.append(
            [
                "all requests" if journey.name == "Aggregated" else journey.name,
                f"{journey.requests:,}",
                str(journey.failures),
                f"{journey.p50:,.0f}",
                f"{journey.p95:,.0f}",
                f"{journey.per_second:.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        lines.append(
            "  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )
        if number == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    if locust.errors:
        lines += ["", "Locust's failures:", *(f"  {error}" for error in locust.errors[:20])]
    return "\n".join(lines)
