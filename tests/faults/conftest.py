"""Private servers the fault tests may stop and start: never the machine's own (Redis on 6379).

`private_redis` is a redis-server of the test's own on a free loopback port, with nothing kept on
disk, killed when the test ends. `redis_is_private_redis` points the Django cache and the Celery
broker (through a Celery app made current for the test) at it, so stopping it is an outage for
ECM and for nobody else.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

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
