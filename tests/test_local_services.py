"""scripts/services.sh: the project-local PostgreSQL and Redis start, work and stop again.

The script runs from a copy in a temporary folder, on free ports, so its cluster and data are
separate from the ones `make test` itself may be running under. As root the temporary folder
is one the postgres user cannot enter, so the script's fallback (cluster kept under /var/tmp)
is exercised too; --clean-local removes it at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Inside the wrapped command: connect to both servers, print what was used.
PROBE = """
import os, psycopg, redis
with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
    assert conn.execute("select current_database()").fetchone()[0] == "ecm"
    conn.execute("create database probe_can_create")
    conn.execute("drop database probe_can_create")
assert redis.Redis.from_url(os.environ["REDIS_URL"]).ping()
print(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
"""

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server") or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="needs Debian's postgresql and redis-server (scripts/setup.sh installs them)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Checkout:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.pg_port = free_port()
        self.redis_port = free_port()
        self.env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update(ECM_LOCAL_SERVICES="1", ECM_PG_PORT=str(self.pg_port), ECM_REDIS_PORT=str(self.redis_port))

    @property
    def script(self) -> str:
        return str(self.root / "scripts" / "services.sh")

    def run(self, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - the project's own script
            [self.script, *command],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def assert_stopped(self) -> None:
        for port in (self.pg_port, self.redis_port):
            assert not port_open(port), f"port {port} still open"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checkout]:
    root = tmp_path_factory.mktemp("checkout")
    (root / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "services.sh", root / "scripts" / "services.sh")
    copy = Checkout(root)
    yield copy
    subprocess.run([copy.script, "--clean-local"], env=copy.env, capture_output=True, timeout=120)  # noqa: S603


def test_forced_local_services_work_and_stop_on_exit(checkout: Checkout) -> None:
    result = checkout.run(sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        f"postgres://postgres@127.0.0.1:{checkout.pg_port}/ecm",
        f"redis://127.0.0.1:{checkout.redis_port}/0",
    ]
    checkout.assert_stopped()
    # A second start keeps the cluster (no new initdb) and still works.
    again = checkout.run(sys.executable, "-c", PROBE)
    assert again.returncode == 0, again.stderr
    assert "initdb" not in again.stderr
    checkout.assert_stopped()


def test_the_command_status_is_kept_and_services_stop_on_failure(checkout: Checkout) -> None:
    result = checkout.run("sh", "-c", "exit 7")
    assert result.returncode == 7
    checkout.assert_stopped()


def test_sigterm_stops_the_command_and_the_services(checkout: Checkout, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    process = subprocess.Popen(  # noqa: S603
        [checkout.script, "sh", "-c", f"touch {ready}; sleep 60"],
        env=checkout.env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the wrapped command never started"
    os.killpg(process.pid, signal.SIGTERM)  # as a CI timeout or `kill -- -PGID` would
    assert process.wait(timeout=60) == 143
    checkout.assert_stopped()


def test_given_urls_are_used_as_they_are(checkout: Checkout) -> None:
    given = {"DATABASE_URL": "postgres://someone@db.invalid/x", "REDIS_URL": "redis://cache.invalid/2"}
    result = subprocess.run(  # noqa: S603
        [checkout.script, "sh", "-c", 'echo "$DATABASE_URL $REDIS_URL"'],
        env={**{k: v for k, v in checkout.env.items() if k != "ECM_LOCAL_SERVICES"}, **given},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [given["DATABASE_URL"], given["REDIS_URL"]]
    assert "started" not in result.stderr
