"""What ``make bench`` prints and writes: the table's rows, the checks against the issue's targets,
and bench-results/latest.json with the machine it ran on."""

from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


@dataclass
class Row:
    """One line of the printed table."""

    name: str
    p50: float | None = None
    p95: float | None = None
    queries: int | None = None
    floor_p50: float | None = None
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None
    unit: str = "ms"


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    captured: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed under the table
    # The same fixed work timed on every machine (measure.measure_machine), so figures from two machines compare.
    machine_speed: dict[str, int] = field(default_factory=dict)

    def check(self, name: str, value: float | int | None, unit: str, target: str, ok: bool) -> bool:
        rounded = round(value, 3) if isinstance(value, float) else value
        self.checks.append({"name": name, "value": rounded, "unit": unit, "target": target, "ok": bool(ok)})
        return ok


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        [(postgres,)] = cursor.fetchall()
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GB"
    except (ValueError, OSError, AttributeError):
        pass
    cpu = platform.processor() or platform.machine()
    model = _cpu_model()
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs{f' ({model})' if model else f' ({cpu})'}{memory}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, PostgreSQL {postgres}"
    )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def write_json(results: Results, path: Path) -> dict[str, Any]:
    document: dict[str, Any] = {"machine": machine(), "when": timezone.now().isoformat(timespec="seconds")}
    if results.machine_speed:  # `make bench` times it; `make loadtest` does not
        document["machine_speed"] = results.machine_speed
    document["checks"] = results.checks
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return document


def table(results: Results) -> str:
    headings = ["name", "p50", "p95", "queries", "floor p50", "ratio", "target", "ok"]

    def ms(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"

    lines = [
        [
            row.name,
            ms(row.p50),
            ms(row.p95),
            "" if row.queries is None else str(row.queries),
            ms(row.floor_p50),
            "" if row.ratio is None else f"{row.ratio:.2f}x",
            row.target,
            "" if row.ok is None else ("yes" if row.ok else "NO"),
        ]
        for row in results.rows
    ]
    widths = [max(len(str(line[i])) for line in [headings, *lines]) for i in range(len(headings))]
    right = {1, 2, 3, 4, 5}

    def fmt(line: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([fmt(headings), rule, *(fmt(line) for line in lines), *results.notes])
