"""Celery tasks of the reviews app: beat runs the reminder sweep and delivery (CELERY_BEAT_SCHEDULE);
a signed-off review's record is made into a PDF by `render_review_document`.

The sweep and delivery are safe to run twice or at once: the sweep inserts with ON CONFLICT DO NOTHING and delivery
takes each reminder under FOR UPDATE SKIP LOCKED. A run that fails on the database is retried
with a growing wait; a reminder whose e-mail fails waits in its row (next_attempt_at) instead.
The PDF job is idempotent too: a document already made (or gone) is left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import DatabaseError

from cases.pdf import (
    PDF_MAX_RETRIES,
    PDF_SOFT_TIME_LIMIT_SECONDS,
    PDF_TIME_LIMIT_SECONDS,
    failure_message,
    retry_countdown,
)
from reviews import documents, reminders

logger = logging.getLogger(__name__)

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


@shared_task(
    bind=True,
    name="reviews.tasks.render_review_document",
    max_retries=PDF_MAX_RETRIES,
    soft_time_limit=PDF_SOFT_TIME_LIMIT_SECONDS,
    time_limit=PDF_TIME_LIMIT_SECONDS,
    ignore_result=True,
)
def render_review_document(self: Any, document_id: int) -> str:
    """Make the PDF of a signed-off review's record and keep it (reviews/documents.py); what happened."""
    try:
        made = documents.review_document_render(document_id=document_id)
    except documents.DocumentNotRenderable as error:
        documents.review_document_failed(
            document_id=document_id, message=f"The PDF cannot be made: {error}", final=True
        )
        return "failed"
    except Exception as error:
        retries = self.request.retries
        final = retries >= self.max_retries
        logger.exception("Review document %s: attempt %s of %s failed", document_id, retries + 1, self.max_retries + 1)
        documents.review_document_failed(
            document_id=document_id, message=failure_message(error, attempts=retries + 1, final=final), final=final
        )
        if final:
            return "failed"
        raise self.retry(exc=error, countdown=retry_countdown(retries)) from error
    return "ready" if made is not None else "nothing to do"


@shared_task(name="reviews.tasks.review_documents_resend_stale", ignore_result=True)
def review_documents_resend_stale() -> int:
    """Send again the jobs of review PDFs that have waited far too long (their message was lost with Redis)."""
    return documents.review_documents_resend_stale()
