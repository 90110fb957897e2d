"""Locust, headless, on loopback and bounded in time, and its figures read back from its CSV files."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from devtools.loadtest.server import stop_process

# Not imported here: it imports locust, which patches the standard library with gevent.
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PLAN_VARIABLE = "ECM_LOADTEST_PLAN"
# After the run time, users finish the request in hand for up to this long.
STOP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Journey:
    """One row of locust's stats: a role's page, or "Aggregated" for them all."""

    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    per_second: float


@dataclass
class LocustResult:
    journeys: list[Journey]
    total: Journey | None
    errors: list[str]  # locust's failures file: "<name>: <error> (<occurrences>)"
    exit_code: int | None

    @property
    def failures(self) -> int:
        return self.total.failures if self.total else 0


def run(
    *, base: str, plan_path: Path, users: int, spawn_rate: float, seconds: float, folder: Path, env: dict[str, str]
) -> LocustResult:
    """Run locust until it stops by itself (run time + stop timeout); stopped with SIGINT if interrupted."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / "locust"
    for old in folder.glob("locust_*.csv"):
        old.unlink()
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base),
        *("--users", str(users), "--spawn-rate", f"{spawn_rate:g}", "--run-time", f"{max(1, round(seconds))}s"),
        *("--stop-timeout", str(STOP_TIMEOUT_SECONDS), "--csv", str(prefix), "--only-summary"),
        *("--loglevel", "WARNING", "--skip-log-setup"),
    ]
    with (folder / "locust.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command,
            cwd=settings.BASE_DIR,
            env={**env, PLAN_VARIABLE: str(plan_path)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=seconds + STOP_TIMEOUT_SECONDS + 120)
        finally:
            stop_process(process)
    return read(prefix, exit_code=process.returncode)


def read(prefix: Path, *, exit_code: int | None) -> LocustResult:
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"locust wrote no figures ({stats}): see {prefix.parent / 'locust.log'}")
    journeys: list[Journey] = []
    total: Journey | None = None
    with stats.open(newline="") as file:
        for row in csv.DictReader(file):
            journey = Journey(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50=_number(row["50%"]),
                p95=_number(row["95%"]),
                per_second=_number(row["Requests/s"]),
            )
            if row["Name"] == "Aggregated":
                total = journey
            else:
                journeys.append(journey)
    errors = []
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(newline="") as file:
            errors = [f"{row['Name']}: {row['Error']} ({row['Occurrences']})" for row in csv.DictReader(file)]
    return LocustResult(journeys=journeys, total=total, errors=errors, exit_code=exit_code)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # "N/A" when a name had no request
        return 0.0
