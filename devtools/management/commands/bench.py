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
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools.bench import dataset, measure, report


class Command(BaseCommand):
    help = "Seed the national dataset into its own database (once), then time every page against its floor B."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of national scale (1 = 20,000 cases)")
        parser.add_argument("--database", default="", help="database name (ecm_bench at scale 1, ecm_bench_<scale>)")
        parser.add_argument("--here", action="store_true", help="use the current database, not a bench database")
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
        if not 0 < scale <= 5:
            raise CommandError("--scale must be above 0 and at most 5")
        # Whitenoise's note that static files are not collected (they are not needed here).
        warnings.filterwarnings("ignore", "No directory at")
        started = time.perf_counter()
        if not options["here"]:
            name = options["database"] or dataset.default_database_name(scale)
            self.stdout.write(f"Bench database: {name}")
            dataset.use_database(name)
            dataset.migrate_quietly()
        try:
            data = dataset.ensure_dataset(scale=scale, say=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
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
