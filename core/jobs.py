"""Sending Celery jobs from requests without ever failing the page: the one way the apps enqueue.

A job that must happen is first a row in PostgreSQL (a document with status "queued", a reminder),
written in the request's transaction; the message to the worker is only an accelerator. So sending
is done after the commit, and a broker that is down (Redis stopped, refused, timing out) is logged
and otherwise ignored: the row stays queued and the resend sweep (beat) sends it when Redis is back.
Broker timeouts are short (CELERY_BROKER_* in config/settings/base.py), so a failed send costs the
request well under a second.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import Task
from django.core.exceptions import ImproperlyConfigured
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a send raises when the broker (or the Redis result backend it subscribes to) is unavailable.
BROKER_UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, RedisError, OSError)


def enqueue(task: Task, *args: Any) -> bool:
    """Send one job now; False (logged) when the broker is unavailable. Its row is left for the sweep.

    The task must ignore its result (`ignore_result=True`): its state is its row. A task that keeps
    results makes the send subscribe to the Redis result store first, which, with Redis down, retries
    for 20 s and then raises RuntimeError ("the Celery application must be restarted").
    """
    if not task.ignore_result:
        raise ImproperlyConfigured(f"{task.name} is sent from requests: give it ignore_result=True")
    try:
        task.delay(*args)
    except BROKER_UNAVAILABLE as error:
        logger.warning(
            "job %s%r not sent (%s): its row stays queued for the resend sweep", task.name, args, type(error).__name__
        )
        return False
    return True


def enqueue_each(task: Task, ids: Iterable[int], *, before: tuple[Any, ...] = ()) -> int:
    """Send one job per id, `task(*before, id)` (a sweep's batch); how many were sent. Stops trying once the
    broker is down."""
    sent = 0
    for pk in ids:
        if not enqueue(task, *before, pk):
            break
        sent += 1
    return sent
