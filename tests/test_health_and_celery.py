"""The health endpoint and the Celery app, against real Redis and a real worker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from accounts.tasks import HEARTBEAT_CACHE_KEY, heartbeat
from config.celery_app import app


def test_celery_is_configured_for_safe_delivery() -> None:
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_the_beat_schedule_lives_in_settings_and_sends_the_heartbeat() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["heartbeat"]["task"] == "accounts.tasks.heartbeat"
    assert "accounts.tasks.heartbeat" in app.tasks


@pytest.mark.django_db
def test_health_reports_each_part_and_degrades_without_a_worker(client: Client) -> None:
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["web"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["worker"] == "no worker answered"
    assert body["checks"]["beat"] == "no heartbeat yet"


@pytest.fixture
def celery_worker() -> Iterator[None]:
    """A real worker thread consuming from the test Redis database."""
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_health_is_ok_when_a_worker_runs_the_heartbeat(client: Client, celery_worker: None) -> None:
    heartbeat.delay()  # what beat sends every 30 s; the worker runs it and stamps the cache
    deadline = time.monotonic() + 10
    while cache.get(HEARTBEAT_CACHE_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.get(HEARTBEAT_CACHE_KEY) is not None
    response = client.get("/health/")
    assert response.json()["checks"] == {
        "web": "ok",
        "database": "ok",
        "redis": "ok",
        "worker": "ok",
        "beat": "ok",
    }
    assert response.status_code == 200
