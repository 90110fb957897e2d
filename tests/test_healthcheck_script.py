"""The web container's health check (scripts/healthcheck.py) asks /health/ only about what web needs."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "healthcheck.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecm_healthcheck", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def health_answering(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A stand-in web process on a free loopback port whose /health/ answers what the test sets."""
    answer: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            body = json.dumps(answer["body"]).encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PORT", str(server.server_address[1]))
    yield answer
    server.shutdown()


def test_web_stays_healthy_while_redis_is_down(health_answering: dict[str, Any]) -> None:
    checks = {"web": "ok", "database": "ok", "redis": "failing: ConnectionError", "worker": "not checked"}
    health_answering.update(status=503, body={"status": "degraded", "failing": ["redis"], "checks": checks})
    assert _load().check_web() is None


def test_web_is_unhealthy_without_its_database(health_answering: dict[str, Any]) -> None:
    checks = {"web": "ok", "database": "failing: unavailable"}
    health_answering.update(status=503, body={"status": "degraded", "failing": ["database"], "checks": checks})
    assert _load().check_web() == "web: failing database"
