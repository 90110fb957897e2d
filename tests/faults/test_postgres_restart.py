"""PostgreSQL restarted under a stream of saves: every acknowledged write is there afterwards.

A cluster of the test's own (`private_postgres`: free loopback port, fsync and synchronous_commit
on, as in production) holds a copy of the test database; a real gunicorn serves ECM from it. A
case manager signs in over HTTP (password, then their authenticator's code) and logs contacts on
the case, one after another, each with a note of its own, while the cluster is restarted
(`pg_ctl restart`: fast, as an upgrade does, and immediate, as a crash does). Then every contact
whose save was acknowledged (302 back to the case) must be in the database; the requests in the
window answer the friendly 503 with Retry-After, never a 500. Slow-ish: about 15 s per restart
mode (copy, gunicorn start, sign-in, 6+ s of saves).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.db import connection

from config.errors import RETRY_AFTER_SECONDS
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD
from tests.faults.conftest import PrivatePostgres, free_port, pg_bin, wait_for
from tests.mfa import totp_code_for, totp_device_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SAVES_BEFORE_SECONDS = 2.0  # saves before the restart starts
SAVES_AFTER_SECONDS = 3.0  # and after the cluster answers again


def copy_test_database_to(server: PrivatePostgres, name: str) -> None:
    """The test database (schema, the cast, the session) copied into the private cluster."""
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    source = connection.settings_dict
    source_url = (
        f"postgres://{source['USER']}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{source['NAME']}"
    )
    env = {**os.environ, "PGPASSWORD": source["PASSWORD"] or ""}
    dump = subprocess.run(  # noqa: S603 - fixed command line
        [str(pg_bin() / "pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--dbname", source_url],
        check=True,
        capture_output=True,
        env=env,
        timeout=60,
    )
    subprocess.run(  # noqa: S603 - fixed command line
        [str(pg_bin() / "pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--dbname", server.url(name)],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def web_on_private_postgres(private_postgres: PrivatePostgres, tmp_path: Path) -> Iterator[str]:
    """A gunicorn serving ECM (test settings) from the private cluster; its base URL. Stopped at the end."""
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": private_postgres.url("ecm"),
        "CONN_MAX_AGE": "60",
        "ECM_MEDIA_ROOT": str(tmp_path / "media"),
    }
    process = subprocess.Popen(  # noqa: S603 - fixed command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"),
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        try:
            # Any answer will do (/health/ waits for a worker ping; no worker runs here).
            return requests.get(f"{base}/cases/", timeout=5, allow_redirects=False).status_code > 0
        except requests.RequestException:
            return False

    try:
        wait_for(answers, seconds=30, what="gunicorn to answer")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _csrf_token(page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the form"
    return token.group(1)


def signed_in_browser(base: str, user: Any, case_id: int) -> tuple[requests.Session, str]:
    """A person signed in over HTTP as anyone is, password then security code, and the contact form's
    CSRF token."""
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/sign-in/", timeout=10).text
    password = browser.post(
        f"{base}/accounts/sign-in/",
        {"csrfmiddlewaretoken": _csrf_token(page), "username": user.username, "password": TEST_PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert password.status_code == 302 and password.headers["Location"].startswith("/accounts/two-factor/")
    second_step = f"{base}{password.headers['Location']}"
    page = browser.get(second_step, timeout=10).text
    code = browser.post(
        second_step,
        {"csrfmiddlewaretoken": _csrf_token(page), "code": totp_code_for(user)},
        timeout=10,
        allow_redirects=False,
    )
    assert code.status_code == 302 and code.headers["Location"] == "/", (code.status_code, code.headers)
    form = browser.get(f"{base}/cases/{case_id}/contacts/add/", timeout=10, allow_redirects=False)
    assert form.status_code == 200, form.status_code
    return browser, _csrf_token(form.text)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_every_acknowledged_save_is_present_after_postgres_restarts(
    cast: Cast, private_postgres: PrivatePostgres, tmp_path: Path, mode: str, request: pytest.FixtureRequest
) -> None:
    totp_device_for(cast.case_manager)  # their authenticator travels with the copy
    copy_test_database_to(private_postgres, "ecm")
    base = request.getfixturevalue("web_on_private_postgres")
    case_id = cast.case.pk
    browser, token = signed_in_browser(base, cast.case_manager, case_id)

    restart: dict[str, float] = {}

    def restart_cluster() -> None:
        time.sleep(SAVES_BEFORE_SECONDS)
        restart["started"] = time.monotonic()
        private_postgres.restart(mode)
        wait_for(private_postgres.answers, seconds=30, what="the cluster after the restart")
        restart["ended"] = time.monotonic()

    restarter = threading.Thread(target=restart_cluster)
    acknowledged: list[str] = []
    statuses: Counter[int] = Counter()
    unfriendly: list[str] = []
    started = time.monotonic()
    restarter.start()
    try:
        number = 0
        while "ended" not in restart or time.monotonic() < restart["ended"] + SAVES_AFTER_SECONDS:
            assert time.monotonic() - started < 60, "the restart took over a minute"
            number += 1
            note = f"Restart probe {mode} {number}: Kai talked about football."
            response = browser.post(
                f"{base}/cases/{case_id}/contacts/add/",
                {**contact_form(note=note), "csrfmiddlewaretoken": token},
                timeout=30,
                allow_redirects=False,
            )
            if response.status_code == 302 and f"/cases/{case_id}/" in response.headers["Location"]:
                acknowledged.append(note)
                statuses[0] += 1  # 0: acknowledged; a 302 anywhere else (sign-in) counts as a 302
            else:
                statuses[response.status_code] += 1
            if response.status_code == 503 and (
                response.headers.get("Retry-After") != str(RETRY_AFTER_SECONDS)
                or "Try again in a minute" not in response.text
            ):
                unfriendly.append(response.text[:200])
    finally:
        restarter.join(timeout=90)

    with psycopg.connect(private_postgres.url("ecm")) as check:
        rows = check.execute(
            "SELECT note FROM cases_contact WHERE case_id = %s AND note LIKE %s", [case_id, f"Restart probe {mode} %"]
        ).fetchall()
    found = [note for (note,) in rows]
    requests_made = sum(statuses.values())
    other = {status: count for status, count in statuses.items() if status not in (0, 503)}
    print(  # noqa: T201 - the scenario's figures, for the issue's closing note
        f"\nFIGURES postgres restart ({mode}): requests={requests_made} acknowledged={len(acknowledged)} "
        f"found={len(set(acknowledged) & set(found))} extra_saved_unacknowledged={len(set(found) - set(acknowledged))} "
        f"503s={statuses[503]} 500s={statuses[500]} other={other} "
        f"restart_seconds={restart['ended'] - restart['started']:.2f}"
    )
    assert "ended" in restart, "the cluster did not come back"
    assert statuses[500] == 0
    assert set(statuses) <= {0, 503}, statuses
    assert not unfriendly, unfriendly
    assert sorted(set(acknowledged) - set(found)) == [], "acknowledged saves lost"
    assert len(found) == len(set(found)), "a save was stored twice"
    # Saves were acknowledged before the restart and the app recovered by itself after it.
    assert len(acknowledged) >= 2 and acknowledged[-1].endswith(f"{number}: Kai talked about football.")
