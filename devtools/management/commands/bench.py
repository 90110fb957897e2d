"""``manage.py bench`` (``make bench``): every page at national scale against its floor B.

Seeds the national dataset into its own database the first time (``ecm_bench``, created if absent,
migrated on every run), reuses it after, then measures (devtools/bench/) and prints a table and
writes ``bench-results/latest.json``. ``--scale 0.05`` makes a small dataset in ``ecm_bench_0_05``
for a quick run; ``--here`` uses the current database as it is (the tests' own).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from devtools.bench import dataset, measure, report


class Command(BaseCommand):
    help = "Seed the national dataset into its own database (once), then time every page against its floor B."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        dataset.add_arguments(parser)
        parser.add_argument("--repeat", type=int, default=20, help="timed rounds of each page and its floor")
        parser.add_argument("--warmup", type=int, default=2, help="untimed requests of each first")
        parser.add_argument(
            "--slow-repeat", type=int, default=5, help="timed runs of the dashboard (PDFs, sweep: half)"
        )
        parser.add_argument(
            "--only", default="", help="comma-separated page keys (devtools/bench/floors.py) to measure"
        )
        parser.add_argument("--output", type=Path, default=None, help="where the JSON goes (bench-results/latest.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        scale: float = options["scale"]
        # Whitenoise's note that static files are not collected (they are not needed here).
        warnings.filterwarnings("ignore", "No directory at")
        started = time.perf_counter()
        data = dataset.dataset_from_options(options, say=self.stdout.write)
        seeded = time.perf_counter()
        self.stdout.write("Measuring ...")
        only = {key.strip() for key in options["only"].split(",") if key.strip()} or None
        results = measure.run(
            data,
            warmup=options["warmup"],
            repeat=options["repeat"],
            slow_repeat=options["slow_repeat"],
            say=self.stdout.write,
            only=only,
        )
        measured = time.perf_counter()
        output: Path = options["output"] or Path(settings.BASE_DIR) / "bench-results" / "latest.json"
        report.write_json(results, output)
        self.stdout.write("")
        self.stdout.write(report.table(results))
        failed = [check["name"] for check in results.checks if not check["ok"]]
        self.stdout.write("")
        self.stdout.write(
            f"{len(results.checks) - len(failed)} of {len(results.checks)} checks met. Database "
            f"{connection.settings_dict['NAME']} at scale {scale:g}; setup and seeding {seeded - started:.0f} s, "
            f"measuring {measured - seeded:.0f} s. Written to {output}."
        )
