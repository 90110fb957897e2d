"""The bench's own database: made once (migrations, seed_scale's dataset, the bench's extras), reused after.

What was made is written in the database's comment as JSON (the scale, the people and cases the
measurements use), after the seeding transaction commits: a database with the comment is complete.
A database without it is seeded again (migrations are always brought up to date first, so index
changes in the tree reach the bench database).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import connection, connections, transaction

from devtools.bench.extras import BenchPeople, bench_extras_make
from devtools.scale import seed_scale

# Bump when the seeding changes, so an old bench database is made again.
DATA_VERSION = 1
LABEL = "Scale"
SEED = 2026


@dataclass(frozen=True)
class BenchData:
    """What the measurements need to find in the bench database."""

    version: int
    scale: float
    people: BenchPeople
    seed_seconds: float

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> BenchData | None:
        try:
            raw = json.loads(text)
            return cls(
                version=raw["version"],
                scale=raw["scale"],
                people=BenchPeople(**raw["people"]),
                seed_seconds=raw["seed_seconds"],
            )
        except (ValueError, KeyError, TypeError):
            return None


def default_database_name(scale: float) -> str:
    """ecm_bench at scale 1; ecm_bench_0_05 at scale 0.05, so a quick run never reuses the national data."""
    return "ecm_bench" if scale == 1 else "ecm_bench_" + f"{scale:g}".replace(".", "_")


def use_database(name: str) -> None:
    """Point the default connection at `name`, created if absent (from the server's maintenance database)."""
    default = connections["default"]
    default.close()
    with default._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {default.ops.quote_name(name)}")
    default.settings_dict["NAME"] = name


def migrate_quietly() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def stored() -> BenchData | None:
    """The bench data recorded in this database's comment, if it was made."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return BenchData.from_json(row[0]) if row and row[0] else None


def ensure_dataset(*, scale: float, say: Any = print) -> BenchData:
    """The bench data of this database: the stored one if made at this scale, else made now."""
    existing = stored()
    if existing is not None and existing.version == DATA_VERSION and existing.scale == scale:
        say(f"Reusing the bench dataset (scale {scale:g}, seeded in {existing.seed_seconds:.0f} s).")
        return existing
    if existing is not None:
        raise RuntimeError(
            f"Database {connection.settings_dict['NAME']} holds bench data of scale {existing.scale:g}, "
            f"version {existing.version}: drop it (dropdb) or choose another --database"
        )
    say(f"Seeding the bench dataset at scale {scale:g} (national scale is 1) ...")
    started = time.perf_counter()
    with transaction.atomic():
        counts = seed_scale(scale=scale, seed=SEED, label=LABEL)
        say("  seed_scale: " + ", ".join(f"{number:,} {name}" for name, number in counts.rows.items()))
        people = bench_extras_make(scale=scale, seed=SEED, label=LABEL, say=say)
    vacuum_analyze()
    data = BenchData(version=DATA_VERSION, scale=scale, people=people, seed_seconds=time.perf_counter() - started)
    if not connection.in_atomic_block:
        # Outside a transaction only (the test database is seeded inside the test's): marks it complete.
        with connection.cursor() as cursor:
            quoted = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"COMMENT ON DATABASE {quoted} IS %s", [data.to_json()])
    say(f"Seeded in {data.seed_seconds:.0f} s.")
    return data


def vacuum_analyze() -> None:
    """Statistics for the planner and a visibility map for index-only scans, as autovacuum would leave them."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if not connection.in_atomic_block else "ANALYZE")


def add_arguments(parser: CommandParser) -> None:
    """The options `bench` and `loadtest` share: which dataset, in which database."""
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of national scale (1 = 20,000 cases)")
    parser.add_argument("--database", default="", help="database name (ecm_bench at scale 1, ecm_bench_<scale>)")
    parser.add_argument("--here", action="store_true", help="use the current database, not a bench database")


def dataset_from_options(options: dict[str, Any], *, say: Any) -> BenchData:
    """Switch to the bench database the options name (migrated), and seed it if it is not there yet."""
    scale: float = options["scale"]
    if not 0 < scale <= 5:
        raise CommandError("--scale must be above 0 and at most 5")
    if not options["here"]:
        name = options["database"] or default_database_name(scale)
        say(f"Bench database: {name}")
        use_database(name)
        migrate_quietly()
    try:
        return ensure_dataset(scale=scale, say=say)
    except RuntimeError as error:
        raise CommandError(str(error)) from error
