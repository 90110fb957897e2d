"""Redis is an accelerator, never a single point of failure for pages (issue 12).

Each test has a private redis-server (tests/faults/conftest.py) holding ECM's cache and Celery
broker, and stops it: signed-in pages and saves keep working, a PDF asked for meanwhile stays
queued and is made once after Redis is back, and /health/ answers its JSON quickly, naming redis.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from redis.exceptions import RedisError

from cases.models import Contact
from config.cache import ResilientRedisCache
from core.documents.lifecycle import STALE_AFTER_SECONDS
from core.documents.models import DocumentState
from core.documents.tasks import documents_resend_stale, render_document
from core.jobs import enqueue
from reporting.models import SummaryDocument
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.faults.conftest import PrivateRedis, free_port, wait_for
from tests.mfa import sign_in_password_only, totp_code_for, totp_device_for

pytestmark = pytest.mark.faults

# No single request may wait on Redis for longer than this (its socket timeouts are 0.25 s).
SLOWEST_ACCEPTABLE_SECONDS = 1.0
HEALTH_WITHIN_SECONDS = 1.5

YEAR_2025 = {
    "start_day": "1",
    "start_month": "1",
    "start_year": "2025",
    "end_day": "31",
    "end_month": "12",
    "end_year": "2025",
}


class Tally:
    """Requests, errors and writes of one scenario, for the assertion and the one-line summary."""

    def __init__(self) -> None:
        self.requests = 0
        self.errors: Counter[str] = Counter()
        self.slowest = 0.0
        self.slowest_url = ""
        self.timing = False  # only requests made while Redis is down count for the slowest
        self.writes_acknowledged: list[str] = []

    def call(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        response = method(url, *args, **kwargs)
        took = time.monotonic() - started
        if self.timing and took > self.slowest:
            self.slowest, self.slowest_url = took, url
        self.requests += 1
        if response.status_code not in (200, 302):
            self.errors[f"{response.status_code} {url}"] += 1
        return response


def nowhere_cache() -> ResilientRedisCache:
    """The project's cache backend aimed at a loopback port where nothing listens."""
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}},
    )


# --- The cache backend on its own ---------------------------------------------------------------


def test_every_cache_operation_is_a_quick_miss_when_redis_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = nowhere_cache()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert unreachable.get("k", "default") == "default"
        unreachable.set("k", 1)
        assert unreachable.add("k", 1) is False
        assert unreachable.get_many(["k", "j"]) == {}
        assert unreachable.set_many({"k": 1}) == []
        assert unreachable.has_key("k") is False
        assert unreachable.touch("k") is False
        assert unreachable.delete("k") is False
        unreachable.delete_many(["k"])
        assert unreachable.get_or_set("k", 5) == 5
        with pytest.raises(ValueError, match="not found"):  # as for a missing key: Django's contract
            unreachable.incr("k")
        with pytest.raises(ValueError, match="not found"):
            unreachable.decr("k")
        unreachable.clear()
    assert time.monotonic() - started < 0.5
    warnings = [record for record in caplog.records if record.name == "config.cache"]
    assert len(warnings) == 1  # rate-limited: one warning, not one per call
    assert "cache unavailable" in warnings[0].getMessage()


def test_the_health_probe_asks_redis_whatever_the_cache_remembers() -> None:
    unreachable = nowhere_cache()
    assert unreachable.get("k") is None  # the failure is remembered: later calls skip Redis
    with pytest.raises(RedisError):
        unreachable.ping()


def test_the_cache_comes_back_by_itself_once_redis_answers_again(private_redis: PrivateRedis) -> None:
    backend = ResilientRedisCache(private_redis.url(1), {"OPTIONS": {"socket_connect_timeout": 0.25}})
    backend.set("k", "before")
    assert backend.get("k") == "before"
    private_redis.stop()
    assert backend.get("k", "missed") == "missed"
    private_redis.start()
    started = time.monotonic()

    def stores_again() -> bool:
        backend.set("k", "after")
        return backend.get("k") == "after"

    wait_for(stores_again, seconds=5, what="the cache to be used again")
    assert time.monotonic() - started < 3  # the "skip Redis" memory lasts 2 s


def test_jobs_sent_from_requests_keep_no_result() -> None:
    for task in (render_document, documents_resend_stale):
        assert task.ignore_result is True  # else sending subscribes to Redis results: 20 s of retries when down


# --- A stream of signed-in pages and saves through an outage -------------------------------------


def pages(cast: Cast) -> list[str]:
    case = cast.case.pk
    return ["/", "/cases/", f"/cases/{case}/", f"/cases/{case}/contacts/", "/notifications/", "/accounts/security/"]


def log_a_contact(client: Client, cast: Cast, tally: Tally, note: str) -> None:
    response = tally.call(client.post, f"/cases/{cast.case.pk}/contacts/add/", contact_form(note=note))
    if response.status_code == 302:
        tally.writes_acknowledged.append(note)


@pytest.mark.django_db
def test_with_redis_stopped_signed_in_pages_answer_and_every_save_is_kept(
    cast: Cast, private_redis: PrivateRedis, redis_is_private_redis: Celery
) -> None:
    tally = Tally()
    client = Client()
    client.force_login(cast.case_manager)
    totp_device_for(cast.colleague)
    for url in pages(cast):  # Redis up: warm, and the baseline
        tally.call(client.get, url)
    cache.set("ecm:probe", "up")
    assert cache.get("ecm:probe") == "up"

    private_redis.stop()
    assert not private_redis.answers()
    down_started = time.monotonic()
    tally.timing = True
    for round_ in range(20):
        for url in pages(cast):
            page = tally.call(client.get, url)
            assert page.status_code == 200, url
        log_a_contact(client, cast, tally, f"Outage round {round_}: Kai talked about his new bike.")
    # Signing in through the real form, second factor included, and asking for a password reset link.
    second = Client()
    password_step = tally.call(lambda url: sign_in_password_only(second, cast.colleague), "/accounts/sign-in/")
    assert password_step.status_code == 302
    signed_in = tally.call(second.post, "/accounts/two-factor/", {"code": totp_code_for(cast.colleague)})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
    assert tally.call(second.get, "/").status_code == 200
    reset = tally.call(second.post, "/accounts/password-reset/", {"email": "priya@test.ecm.invalid"})
    assert reset.status_code == 302
    assert cache.get("ecm:probe") is None  # the cache really was out of reach: a miss
    down_seconds = time.monotonic() - down_started
    tally.timing = False

    private_redis.start()

    def cache_works() -> bool:
        cache.set("ecm:probe", "back")
        return bool(cache.get("ecm:probe") == "back")

    wait_for(cache_works, seconds=5, what="the cache to be used again")
    for url in pages(cast):
        tally.call(client.get, url)
    log_a_contact(client, cast, tally, "After the outage: Kai is settled at school.")

    found = set(Contact.objects.filter(case=cast.case).values_list("note", flat=True))
    kept = [note for note in tally.writes_acknowledged if note in found]
    print(
        f"\nredis outage ({down_seconds:.1f} s down): {tally.requests} requests, {sum(tally.errors.values())} errors, "
        f"slowest while down {tally.slowest * 1000:.0f} ms ({tally.slowest_url}), "
        f"writes acknowledged {len(tally.writes_acknowledged)}, found {len(kept)}"
    )
    assert not tally.errors, tally.errors
    assert len(tally.writes_acknowledged) == 21
    assert kept == tally.writes_acknowledged
    assert tally.slowest < SLOWEST_ACCEPTABLE_SECONDS, tally.slowest_url


# --- A document asked for while Redis is down -----------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_pdf_asked_for_while_redis_is_down_stays_queued_and_is_made_once_when_it_is_back(
    cast: Cast, private_redis: PrivateRedis, redis_is_private_redis: Celery, tmp_path: Path
) -> None:
    client = Client()
    client.force_login(cast.case_manager)
    private_redis.stop()

    started = time.monotonic()
    asked = client.post("/reports/summaries/", YEAR_2025)
    asked_seconds = time.monotonic() - started
    assert asked.status_code == 302 and asked["Location"].endswith("#summaries")
    document = SummaryDocument.objects.get(requested_by=cast.case_manager)
    assert document.status == DocumentState.QUEUED
    page = client.get(asked["Location"].split("#")[0])
    assert page.status_code == 200
    assert "The PDF is queued" in page.content.decode()
    assert asked_seconds < SLOWEST_ACCEPTABLE_SECONDS

    private_redis.start()
    # The resend sweep takes the jobs that waited longer than the stale window: this one has.
    SummaryDocument.objects.filter(pk=document.pk).update(
        requested_at=timezone.now() - dt.timedelta(seconds=STALE_AFTER_SECONDS + 60)
    )
    with (
        override_settings(MEDIA_ROOT=tmp_path / "media"),
        start_worker(redis_is_private_redis, pool="solo", perform_ping_check=True, shutdown_timeout=10),
    ):
        sent = documents_resend_stale()  # what beat runs every minute, run here
        wait_for(
            lambda: SummaryDocument.objects.get(pk=document.pk).status == DocumentState.READY,
            seconds=30,
            what="the summary PDF to be made",
        )
        time.sleep(0.5)  # time for a duplicate to show
    document.refresh_from_db()
    print(
        f"\nPDF asked for with redis down: request answered in {asked_seconds * 1000:.0f} ms, row queued; "
        f"sweep sent {sent}, made {document.attempts} time(s), status {document.status}"
    )
    assert sent == 1
    assert document.attempts == 1
    assert document.file and (tmp_path / "media" / document.file.name).read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db
def test_sending_a_job_with_the_broker_down_is_quick_and_reports_it(
    private_redis: PrivateRedis, redis_is_private_redis: Celery
) -> None:
    private_redis.stop()
    started = time.monotonic()
    assert enqueue(render_document, "reporting.summary", 12345) is False
    assert time.monotonic() - started < SLOWEST_ACCEPTABLE_SECONDS


# --- /health/ -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_answers_json_naming_redis_quickly_with_or_without_a_session(
    cast: Cast, private_redis: PrivateRedis, redis_is_private_redis: Celery
) -> None:
    signed_in = Client()
    signed_in.force_login(cast.case_manager)
    private_redis.stop()
    timings = []
    for client in (Client(), signed_in, Client(), signed_in):
        started = time.monotonic()
        response = client.get("/health/")
        timings.append(time.monotonic() - started)
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["failing"] == ["redis"]
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("failing")
        assert body["checks"]["worker"] == body["checks"]["beat"] == "not checked: redis is down"
    print(f"\nhealth with redis down: 4 requests (2 with a session), slowest {max(timings) * 1000:.0f} ms")
    assert max(timings) < HEALTH_WITHIN_SECONDS
