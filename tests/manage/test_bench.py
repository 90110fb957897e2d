"""`make bench` (manage.py bench, devtools/bench/) at a tiny scale in the test database: it seeds, measures
every page against its floor B, prints the table and writes the JSON with one check per target."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from devtools.bench.dataset import stored

pytestmark = pytest.mark.django_db

# One check per target of issue 14 (page checks are named after the pages).
FIXED_CHECKS = {
    "dashboard, a year, all services: cold",
    "dashboard, a year, all services: warm, served from the cache",
    "dashboard, a year, all services: queries",
    "access scoping, sees 5,000 cases",
    "formulation report PDF",
    "quarterly summary PDF",
    "reminder sweep, national scale",
    "no request pays JIT compilation",
    "caseload under gunicorn vs floor B under gunicorn",
    "locust, 200 users, 5 minutes, mixed journeys",
}


def test_bench_measures_every_page_and_writes_every_check(tmp_path: Path) -> None:
    output = tmp_path / "latest.json"
    out = io.StringIO()
    call_command(
        "bench",
        "--here",
        "--scale=0.01",
        "--repeat=1",
        "--warmup=0",
        "--slow-repeat=1",
        f"--output={output}",
        stdout=out,
    )

    document = json.loads(output.read_text())
    assert set(document) == {"machine", "when", "machine_speed", "checks"}
    assert "PostgreSQL" in document["machine"]
    # The same fixed work timed on every machine, printed under the table too.
    assert set(document["machine_speed"]) == {"python_ms", "postgresql_ms"}
    assert all(value > 0 for value in document["machine_speed"].values())
    for check in document["checks"]:
        assert set(check) == {"name", "value", "unit", "target", "ok"}
        assert isinstance(check["ok"], bool)
    names = {check["name"] for check in document["checks"]}
    assert names >= FIXED_CHECKS
    assert stored() is None  # the test database is seeded inside the test's transaction, never marked
    for page in (
        "caseload, open (case manager)",
        "caseload, all statuses (sees 5,000)",
        "caseload, all statuses (sees 50)",
        "API case list, all statuses (sees 5,000)",
        "triage queue",
        "case page, 5,000 contacts",
        "case page, 10 contacts",
        "chronology, 5,000 rows",
        "contacts, 5,000 rows",
        "review page",
        "access log, all events",
        "find a child (sees 5,000)",
        "my actions",
    ):
        assert f"{page}: vs floor B" in names
        assert f"{page}: queries" in names
        assert f"{page}: vs admin changelist" in names
    table = out.getvalue()
    assert "name" in table and "floor p50" in table and "ratio" in table
    assert "checks met" in table
    assert f"rendered 100 times {document['machine_speed']['python_ms']:,} ms" in table
