#!/usr/bin/env python3
"""Container health checks for docker-compose.yml (stdlib only, no Django import: cheap).

    healthcheck.py web    /health/ on the local gunicorn reports web and database ok
    healthcheck.py beat   the beat schedule file has been written recently

/health/ answers 503 until a worker and beat run too; the web container's own health must not
wait for them (they start after web is healthy, once migrations have run), so the web check
reads the JSON and looks only at the parts the web process itself needs. The worker and beat
containers have their own checks. The request carries the Host and X-Forwarded-Proto a TLS
proxy would send, so production settings (ALLOWED_HOSTS, SECURE_SSL_REDIRECT) answer it.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import sys
import time

WEB_PORT = int(os.environ.get("PORT", "8000"))
BEAT_SCHEDULE = os.environ.get("CELERY_BEAT_SCHEDULE_FILE", "/tmp/celerybeat-schedule")  # noqa: S108
# What the web process itself needs; "worker" and "beat" are checked in their own containers.
# Redis is not among them: pages stay up without it (config/cache.py), so restarting web would not help.
WEB_NEEDS = ("web", "database")
# Beat saves its schedule every few minutes while tasks are due (heartbeat: every 30 s).
BEAT_MAX_AGE_SECONDS = 600


def allowed_host() -> str:
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    if first in ("", "*"):
        return "localhost"
    return first.lstrip(".")  # ".example.org" allows example.org itself


def check_web() -> str | None:
    conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=8)
    try:
        conn.request("GET", "/health/", headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        status, body = response.status, response.read()
    except OSError as exc:
        return f"web: {exc}"
    finally:
        conn.close()
    if status not in (200, 503):
        return f"web: /health/ answered {status}"
    try:
        checks = json.loads(body)["checks"]
    except (ValueError, KeyError, TypeError):
        return "web: /health/ did not answer the expected JSON"
    failing = [name for name in WEB_NEEDS if checks.get(name) != "ok"]
    return f"web: failing {', '.join(failing)}" if failing else None


def check_beat() -> str | None:
    # The shelve module may add a suffix (.db, .dat) to the file name.
    files = glob.glob(BEAT_SCHEDULE + "*")
    if not files:
        return f"beat: no schedule file {BEAT_SCHEDULE}* yet"
    age = time.time() - max(os.path.getmtime(f) for f in files)
    return None if age < BEAT_MAX_AGE_SECONDS else f"beat: schedule not written for {age:.0f} s"


def main() -> None:
    checks = {"web": check_web, "beat": check_beat}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(checks)}")
    problem = checks[sys.argv[1]]()
    if problem:
        sys.exit(problem)


if __name__ == "__main__":
    main()
