"""Private servers the fault tests may stop and start: never the machine's own (Redis on 6379,
PostgreSQL on 5432).

`private_redis` is a redis-server of the test's own on a free loopback port, with nothing kept on
disk, killed when the test ends. `redis_is_private_redis` points the Django cache and the Celery
broker (through a Celery app made current for the test) at it, so stopping it is an outage for
ECM and for nobody else. `private_postgres` is a PostgreSQL cluster of the test's own (initdb in a
folder under /tmp, free loopback port, fsync and synchronous_commit on), stopped and deleted when
the test ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.test import override_settings

from config.celery_app import app


def wait_for(condition: Callable[[], bool], *, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or condition.__name__}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server on a free loopback port that the test may stop and start again (same port)."""

    def __init__(self, folder: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise AssertionError("redis-server is not installed (Debian package redis-server)")
        self.executable = executable
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                self.executable,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(self.answers, seconds=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url(), socket_connect_timeout=0.25).ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A running redis-server of this test's own; stopped (killed) when the test ends, whatever happens."""
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_is_private_redis(private_redis: PrivateRedis) -> Iterator[Celery]:
    """ECM's cache and Celery broker on the private Redis; yields the Celery app now current.

    override_settings(CACHES=...) makes Django close and forget its cache connections (the
    setting_changed handler), so `django.core.cache.cache` reconnects to the new location. Tasks
    declared with `shared_task` resolve to the current app, so sending goes to the private broker.
    """
    caches = {name: {**entry, "LOCATION": private_redis.url(1)} for name, entry in settings.CACHES.items()}
    private = Celery("ecm-faults")
    private.config_from_object("django.conf:settings", namespace="CELERY")
    private.conf.update(broker_url=private_redis.url(2), result_backend=private_redis.url(3))
    with override_settings(CACHES=caches):
        private.set_current()
        private.set_default()
        try:
            yield private
        finally:
            app.set_current()
            app.set_default()
            private.close()


def pg_bin() -> Path:
    """Debian's server binaries, newest major version first (as scripts/services.sh picks them)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda path: int(path.parent.parent.name))
    if not found:
        raise AssertionError("no PostgreSQL server binaries in /usr/lib/postgresql (Debian package postgresql)")
    return found[-1].parent


def _as_postgres(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a server command as the cluster's owner: PostgreSQL refuses root (see scripts/services.sh)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(  # noqa: S603 - fixed command lines
        command, cwd="/", check=True, capture_output=True, text=True, timeout=120
    )


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own on a free loopback port, with production durability.

    Data and socket live in a short folder under /tmp owned by `postgres` (a socket path over 107
    bytes stops the server; the test's tmp_path sits below a folder only root may enter).
    """

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="ecm-pg-", dir="/tmp"))
        self.data = self.folder / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), *args])

    def init(self) -> None:
        _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on"
        self.pg_ctl("-o", options, "-w", "-t", "60", "start")

    def restart(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "-t", "60", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
                self.pg_ctl("-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL cluster of this test's own; stopped and deleted when the test ends, whatever happens.

    Never the machine's cluster on 5432: a fresh initdb on a free port (`.url(name)` gives its URL).
    """
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.stop()
