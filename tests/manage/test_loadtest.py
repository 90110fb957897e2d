"""`make loadtest` (manage.py loadtest, devtools/loadtest/) tiny and quick in the test database: a real
gunicorn and a real locust on loopback, every role's journey answered without an error, and the JSON
in the shape of bench's latest.json."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from accounts.models import AccessEvent
from devtools.loadtest.plan import ROLE_LABELS
from devtools.loadtest.report import THROUGHPUT_CHECK, locust_check_name

# gunicorn reads what the command wrote: the data must be committed, not inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unmarked_database() -> Iterator[None]:
    """Seeding outside a transaction marks the database as a bench database (its comment): undone, so
    the next test (and test_bench's check that the test database is never marked) sees it unmarked."""

    def unmark() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} IS NULL")

    unmark()
    yield
    unmark()


def test_loadtest_serves_every_role_through_gunicorn_and_locust(tmp_path: Path, unmarked_database: None) -> None:
    output = tmp_path / "loadtest.json"
    out = io.StringIO()
    call_command(
        "loadtest",
        "--here",
        "--scale=0.01",
        "--users=6",
        "--spawn-rate=6",
        "--minutes=0.08",
        "--wait=0.2,0.5",
        "--throughput-seconds=2",
        "--connections=4",
        "--people-per-role=1",
        f"--output={output}",
        stdout=out,
    )

    document = json.loads(output.read_text())
    assert set(document) == {"machine", "when", "checks"}
    checks = {check["name"]: check for check in document["checks"]}
    for check in document["checks"]:
        assert set(check) == {"name", "value", "unit", "target", "ok"}
        assert isinstance(check["ok"], bool)
    assert checks[THROUGHPUT_CHECK]["unit"] == "x" and checks[THROUGHPUT_CHECK]["value"] > 0
    assert checks["caseload and floor B under gunicorn: errors"]["value"] == 0
    locust = checks[locust_check_name(6, 0.08)]
    assert locust["value"] == 0 and locust["ok"], out.getvalue()
    assert checks["locust: requests served"]["value"] >= 6
    journeys = [name for name in checks if name.startswith("locust p95: ")]
    for label in ROLE_LABELS.values():
        assert any(name.startswith(f"locust p95: {label}: ") for name in journeys), (label, journeys)
    assert all(checks[name]["target"] == "reported" and checks[name]["unit"] == "ms" for name in journeys)
    assert "p95" in out.getvalue() and "requests/s" in out.getvalue()
    # What the run made is gone again: its sessions and the access events its pages wrote.
    assert not Session.objects.exists()
    assert not AccessEvent.objects.filter(user_agent__startswith="ECM loadtest").exists()
    assert (tmp_path / "loadtest" / "locust_stats.csv").exists()
