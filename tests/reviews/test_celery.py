"""Beat's reminder tasks on a real Celery worker against Redis, and through a Redis outage.

The outage test starts its own redis-server on a spare port and stops it: the machine's shared
Redis on 6379 (used by everyone's tests and the running app) is never touched.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import DatabaseError
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery_app import app
from referrals.models import Referral
from reviews import tasks
from reviews.models import Notification, Reminder, ReminderOutcome
from tests.conftest import Cast
from tests.reviews.helpers import emails_to, referral_submitted_on

SWEEP = "reviews.tasks.reminders_sweep"
DELIVER = "reviews.tasks.reminders_deliver"
WAITING = "referral_awaiting_triage"


def test_beat_sweeps_every_15_minutes_and_delivers_every_minute() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reminders-sweep"] == {"task": SWEEP, "schedule": 900.0}
    assert schedule["reminders-deliver"] == {"task": DELIVER, "schedule": 60.0}
    assert {SWEEP, DELIVER} <= set(app.tasks)


def test_the_tasks_retry_with_a_growing_wait_when_the_database_fails() -> None:
    for task in (tasks.reminders_sweep, tasks.reminders_deliver):
        assert task.autoretry_for == (DatabaseError,)
        assert task.retry_backoff and task.retry_backoff_max
        assert task.max_retries == 5


def wait_for(condition: Callable[[], bool], *, seconds: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what or condition.__name__}")
        time.sleep(0.1)


def overdue_referral(cast: Cast) -> Referral:
    """A Bristol referral submitted five weeks ago: overdue for triage today, whatever today is."""
    return referral_submitted_on(cast, timezone.localdate() - dt.timedelta(weeks=5))


def assert_each_reminder_delivered_once(expected_waiting: int) -> None:
    reminders = list(Reminder.objects.all())
    assert len([reminder for reminder in reminders if reminder.kind == WAITING]) == expected_waiting
    assert all(reminder.outcome == ReminderOutcome.DELIVERED for reminder in reminders)
    assert Notification.objects.count() == len(reminders)
    emailed = [reminder for reminder in reminders if reminder.emailed_at]
    assert len(mail.outbox) == len(emailed) == len(reminders)
    assert len({(message.to[0], message.subject, message.body) for message in mail.outbox}) == len(mail.outbox)


@pytest.fixture
def referral_before_the_worker(cast: Cast) -> Referral:
    return overdue_referral(cast)


@pytest.fixture
def celery_worker() -> Iterator[None]:
    """A real worker thread consuming from the test Redis database."""
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_and_delivers_each_reminder_once(
    cast: Cast, referral_before_the_worker: Referral, celery_worker: None
) -> None:
    tasks.reminders_sweep.delay()
    wait_for(lambda: Reminder.objects.filter(kind=WAITING).count() == 2, what="the sweep")
    for _ in range(2):  # beat sends delivery every minute; the second run finds nothing left
        tasks.reminders_deliver.delay()
    wait_for(lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(), what="delivery")
    tasks.reminders_sweep.delay()
    tasks.reminders_deliver.delay()
    time.sleep(1)  # give a wrongly repeated delivery the time to show
    assert_each_reminder_delivered_once(expected_waiting=2)
    assert [message.subject for message in emails_to("alex@") if "triage" in message.subject] == [
        "ECM: a referral has waited 25 working days for triage"
    ]


class RedisServer:
    """A redis-server of the test's own, on a spare port, that the test may stop and start."""

    def __init__(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise AssertionError("redis-server is not installed (Debian package redis-server)")
        self.executable = executable
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: self._answers(client), seconds=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_app(own_redis: RedisServer) -> Iterator[Celery]:
    """The project's Celery configuration, pointed at the test's own Redis."""
    outage = Celery("ecm-outage-test")
    outage.config_from_object("django.conf:settings", namespace="CELERY")
    outage.conf.update(broker_url=own_redis.url, result_backend=own_redis.url)
    yield outage
    # start_worker made the outage app the current one: hand the project's app back.
    app.set_current()
    app.set_default()


def send_as_beat(celery_app: Celery, name: str, **options: Any) -> None:
    """What beat does: publish the registered task (its results ignored) to the broker."""
    celery_app.tasks[name].apply_async(**options)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_redis_outage_delays_reminders_and_every_one_arrives_once(
    cast: Cast, own_redis: RedisServer, outage_app: Celery
) -> None:
    overdue_referral(cast)
    with start_worker(outage_app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        send_as_beat(outage_app, SWEEP)
        wait_for(lambda: Reminder.objects.filter(kind=WAITING).count() == 2, what="the sweep before the outage")

        own_redis.stop()
        overdue_referral(cast)  # more work falls due while Redis is down
        for name in (SWEEP, DELIVER):  # beat fires, and cannot reach the broker
            with pytest.raises(OperationalError):
                send_as_beat(outage_app, name, retry=False)
        assert not Notification.objects.exists()
        assert Reminder.objects.filter(sent_at__isnull=True).count() == Reminder.objects.count()

        own_redis.start()
        retry = {"retry": True, "retry_policy": {"max_retries": 20, "interval_start": 0.2, "interval_step": 0.5}}
        for _ in range(2):  # beat's next runs, twice over
            send_as_beat(outage_app, SWEEP, **retry)
            send_as_beat(outage_app, DELIVER, **retry)
        wait_for(
            lambda: (
                Reminder.objects.filter(kind=WAITING).count() == 4
                and not Reminder.objects.filter(sent_at__isnull=True).exists()
            ),
            seconds=60,
            what="delivery after Redis came back",
        )
        send_as_beat(outage_app, DELIVER, **retry)
        time.sleep(1)  # give a wrongly repeated delivery the time to show
    assert_each_reminder_delivered_once(expected_waiting=4)
