"""Celery tasks of the reviews app: beat runs the reminder sweep and delivery (CELERY_BEAT_SCHEDULE).
(A signed-off review's record is made into a PDF by the document pipeline: reviews/documents.py.)

The sweep and delivery are safe to run twice or at once: the sweep inserts with ON CONFLICT DO NOTHING and delivery
takes each reminder under FOR UPDATE SKIP LOCKED. A run that fails on the database is retried
with a growing wait; a reminder whose e-mail fails waits in its row (next_attempt_at) instead.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from reviews import reminders

RETRY: dict[str, Any] = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="reviews.tasks.reminders_sweep", ignore_result=True, **RETRY)
def reminders_sweep() -> dict[str, int]:
    """Write down the reminders due today (every 15 minutes)."""
    return reminders.reminders_sweep()


@shared_task(name="reviews.tasks.reminders_deliver", ignore_result=True, **RETRY)
def reminders_deliver() -> int:
    """Deliver the unsent reminders (every minute); how many were handled."""
    return reminders.reminders_deliver().handled
