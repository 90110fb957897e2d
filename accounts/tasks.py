"""Celery tasks of the accounts app."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache

HEARTBEAT_CACHE_KEY = "ecm:beat-heartbeat"


@shared_task(name="accounts.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Sent by beat every 30 s and run by a worker: its timestamp shows both are alive (see /health/)."""
    cache.set(HEARTBEAT_CACHE_KEY, time.time(), timeout=3600)
