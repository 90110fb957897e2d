"""The gunicorn the load test talks to: 2 sync workers (as the Dockerfile runs it) on a free loopback
port, serving the bench URLconf with DEBUG off (devtools/loadtest/settings.py) from the database
the command uses. Its own process group, so a Ctrl-C in the terminal reaches the command only,
which then stops it (`stop`)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from devtools.bench.dataset import BenchData
from devtools.loadtest.plan import Plan
from devtools.loadtest.urls import BENCH_DATA_VARIABLE

HOST = "127.0.0.1"
WORKERS = 2
START_SECONDS = 60
STOP_SECONDS = 15
USER_AGENT = "ECM loadtest (gunicorn check)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def database_url() -> str:
    """The command's database, as DATABASE_URL for gunicorn's settings."""
    db = connection.settings_dict
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{db.get('HOST') or HOST}:{db.get('PORT') or 5432}/{quote(str(db['NAME']))}"


def redis_url() -> str:
    """The command's cache Redis (the tests' own database under the test settings)."""
    location = settings.CACHES.get("default", {}).get("LOCATION", "")
    return location if isinstance(location, str) and location.startswith("redis") else settings.REDIS_URL


def get(port: int, path: str, *, cookie: str = "", timeout: float = 60) -> tuple[int, bytes]:
    """One GET over a new connection (gunicorn's sync workers close each after answering)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    log: IO[bytes]

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, characters: int = 3000) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]


def start(data: BenchData, *, log_path: Path) -> Gunicorn:
    """gunicorn answering on a free loopback port (its workers imported the URLconf, floors filled)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.loadtest.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "CONN_MAX_AGE": "60",
        BENCH_DATA_VARIABLE: data.to_json(),
    }
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(WORKERS), "--timeout", "120"),
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed command line
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Gunicorn(process=process, port=port, log_path=log_path, log=log)
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{server.log_tail()}")
        try:
            get(port, "/accounts/sign-in/", timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                stop(server)
                raise RuntimeError(f"gunicorn did not answer in {START_SECONDS} s:\n{server.log_tail()}") from None
            time.sleep(0.2)
    return server


def stop(server: Gunicorn) -> None:
    """SIGTERM to gunicorn's group (it finishes the requests in hand), SIGKILL if it takes too long."""
    _stop_group(server.process, signal.SIGTERM, STOP_SECONDS)
    server.log.close()


def _stop_group(process: subprocess.Popen[Any], first: signal.Signals, seconds: float) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, first)
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        process.wait(timeout=5)


def preflight(server: Gunicorn, plan: Plan) -> list[str]:
    """Ask for each step of each person's journey once (its first URL): what did not answer 200."""
    wrong = []
    for role, personas in plan.roles.items():
        for persona in personas:
            cookie = f"{plan.cookie_name}={persona.cookies[0]}"
            for step in persona.steps:
                status, _ = get(server.port, step.urls[0], cookie=cookie)
                if status != 200:
                    wrong.append(f"{plan.labels[role]} (user {persona.user}): {step.name} {step.urls[0]} -> {status}")
    return wrong


def stop_process(process: subprocess.Popen[Any], *, seconds: float = STOP_SECONDS) -> None:
    """Stop a helper started in its own session (locust): SIGINT first, as Ctrl-C would."""
    _stop_group(process, signal.SIGINT, seconds)
