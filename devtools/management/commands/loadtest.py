"""``manage.py loadtest`` (``make loadtest``): ECM under gunicorn and locust, on loopback.

Uses the bench database (``ecm_bench``, seeded the first time as ``make bench`` does; ``--here``
uses the current database, as the tests do), then:

1. starts gunicorn, 2 workers, on a free loopback port, serving the bench URLconf with DEBUG off
   (devtools/loadtest/settings.py), so the floor B pages are there;
2. writes signed-in sessions (second factor given) for people of every role into the session
   store, and checks each step of each person's journey answers 200;
3. hammers the caseload and its floor B in turn with the same concurrent connections: requests per
   second of each, and the ratio (issue 14: ≥ 0.8x);
4. runs locust headless with one user class per role walking that role's journey
   (devtools/loadtest/locustfile.py), 200 users for 5 minutes by default;
5. prints the figures per journey step and writes ``bench-results/loadtest.json`` in the shape of
   bench's latest.json. gunicorn and locust are stopped, and the sessions and access events the
   run made are removed, whatever happens (Ctrl-C included).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools.bench import dataset
from devtools.bench.report import Results, write_json
from devtools.loadtest import locust_run, plan, report, server, throughput
from devtools.loadtest.throughput import Rate


def _wait(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError as error:
        raise CommandError("--wait is two numbers of seconds, as 3,12") from error
    if not 0 <= low <= high:
        raise CommandError("--wait needs 0 ≤ min ≤ max")
    return low, high


class Command(BaseCommand):
    help = "ECM under gunicorn: the caseload against its floor B, then locust's mixed journeys of every role."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        dataset.add_arguments(parser)
        parser.add_argument("--users", type=int, default=200, help="locust users (split evenly over the 6 roles)")
        parser.add_argument("--spawn-rate", type=float, default=20, help="locust users started per second")
        parser.add_argument("--minutes", type=float, default=5, help="how long locust runs")
        parser.add_argument("--wait", default="3,12", help="seconds a locust user waits between pages: min,max")
        parser.add_argument(
            "--throughput-seconds", type=float, default=20, help="seconds of load on the caseload and on its floor"
        )
        parser.add_argument("--connections", type=int, default=20, help="concurrent connections for the throughput")
        parser.add_argument("--people-per-role", type=int, default=3, help="different people of each role")
        parser.add_argument(
            "--output", type=Path, default=None, help="where the JSON goes (bench-results/loadtest.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users: int = options["users"]
        minutes: float = options["minutes"]
        if users < 1 or minutes <= 0 or options["throughput_seconds"] <= 0 or options["connections"] < 1:
            raise CommandError("--users, --minutes, --throughput-seconds and --connections must be above 0")
        wait = _wait(options["wait"])
        warnings.filterwarnings("ignore", "No directory at")
        data = dataset.dataset_from_options(options, say=self.stdout.write)
        output: Path = options["output"] or Path(settings.BASE_DIR) / "bench-results" / "loadtest.json"
        folder = output.parent / "loadtest"  # gunicorn's and locust's logs, locust's CSV files

        last_event = plan.last_access_event()
        sessions: list[str] = []
        scratch = Path(tempfile.mkdtemp(prefix="ecm-loadtest-"))  # the plan: it holds session keys
        gunicorn: server.Gunicorn | None = None
        interrupted = False
        started = time.perf_counter()
        try:
            the_plan = plan.plan_make(data, users=users, people_per_role=options["people_per_role"], wait=wait)
            sessions = the_plan.sessions()
            plan_path = scratch / "plan.json"
            the_plan.write(plan_path)
            self.stdout.write(f"{len(sessions)} signed-in sessions for {sum(map(len, the_plan.roles.values()))} people")
            gunicorn = server.start(data, log_path=folder / "gunicorn.log")
            self.stdout.write(f"gunicorn ({server.WORKERS} workers) on {gunicorn.base}; every journey step once ...")
            wrong = server.preflight(gunicorn, the_plan)
            if wrong:
                raise CommandError("These journey steps did not answer 200:\n  " + "\n  ".join(wrong))
            page, floor = self._throughput(gunicorn, the_plan, data, options)
            self.stdout.write(
                f"Locust: {users} users (spawn rate {options['spawn_rate']:g}/s), {minutes:g} minutes, "
                f"waits {wait[0]:g}-{wait[1]:g} s ..."
            )
            env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
            locust = locust_run.run(
                base=gunicorn.base,
                plan_path=plan_path,
                users=users,
                spawn_rate=options["spawn_rate"],
                seconds=minutes * 60,
                folder=folder,
                env=env,
            )
            if gunicorn.process.poll() is not None:
                raise CommandError(f"gunicorn stopped during the run:\n{gunicorn.log_tail()}")
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if gunicorn is not None:
                server.stop(gunicorn)
            plan.clean_up(last_event=last_event, sessions=sessions)
            shutil.rmtree(scratch, ignore_errors=True)
        if interrupted:
            raise CommandError("Interrupted: gunicorn and locust were stopped, the run's sessions removed.")

        results = report.checks(Results(), page=page, floor=floor, locust=locust, users=users, minutes=minutes)
        write_json(results, output)
        self.stdout.write("")
        self.stdout.write(
            report.table(
                page=page, floor=floor, connections=options["connections"], locust=locust, users=users, minutes=minutes
            )
        )
        failed = [check["name"] for check in results.checks if not check["ok"]]
        self.stdout.write("")
        self.stdout.write(
            f"{'All checks met' if not failed else 'NOT met: ' + '; '.join(failed)}. Database "
            f"{connection.settings_dict['NAME']} at scale {data.scale:g}; {time.perf_counter() - started:.0f} s. "
            f"Written to {output}; logs and locust's CSV in {folder}."
        )

    def _throughput(
        self, gunicorn: server.Gunicorn, the_plan: plan.Plan, data: dataset.BenchData, options: dict[str, Any]
    ) -> tuple[Rate, Rate]:
        """The bench case manager's open caseload and its floor B (devtools/bench/pages.py: caseload-open)."""
        managers = the_plan.roles[str(plan.Role.CASE_MANAGER)]
        persona = next(persona for persona in managers if persona.user == data.people.case_manager)
        seconds = options["throughput_seconds"]
        self.stdout.write(
            f"Throughput: the caseload and its floor B, {options['connections']} connections, {seconds:g} s each ..."
        )
        return throughput.compare(
            gunicorn.port,
            "/cases/",
            "/__bench__/floor/caseload-open/",
            cookie=f"{the_plan.cookie_name}={persona.cookies[0]}",
            connections=options["connections"],
            seconds=seconds,
        )
