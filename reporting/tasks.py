"""Celery tasks of the reporting app: making the summary PDF of the aggregate figures (reporting/documents.py).

The task takes a SummaryDocument's id and is idempotent: a summary that is ready (or failed, or gone)
is left alone, so a second delivery of the same message does nothing. An unexpected error is tried
again after 10, 20 and 40 seconds; after the third retry the summary is marked failed with the
reason, and the page offers "Try again".
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from cases.pdf import (
    PDF_MAX_RETRIES,
    PDF_SOFT_TIME_LIMIT_SECONDS,
    PDF_TIME_LIMIT_SECONDS,
    failure_message,
    retry_countdown,
)
from reporting import documents

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="reporting.tasks.render_summary_document",
    max_retries=PDF_MAX_RETRIES,
    soft_time_limit=PDF_SOFT_TIME_LIMIT_SECONDS,
    time_limit=PDF_TIME_LIMIT_SECONDS,
    ignore_result=True,
)
def render_summary_document(self: Any, document_id: int) -> str:
    """Make one summary PDF and keep it; what happened, for the logs."""
    try:
        made = documents.summary_document_render(document_id=document_id)
    except documents.SummaryNotRenderable as error:
        documents.summary_document_failed(
            document_id=document_id, message=f"The PDF cannot be made: {error}", final=True
        )
        return "failed"
    except Exception as error:
        retries = self.request.retries
        final = retries >= self.max_retries
        logger.exception("Summary document %s: attempt %s of %s failed", document_id, retries + 1, self.max_retries + 1)
        documents.summary_document_failed(
            document_id=document_id, message=failure_message(error, attempts=retries + 1, final=final), final=final
        )
        if final:
            return "failed"
        raise self.retry(exc=error, countdown=retry_countdown(retries)) from error
    return "ready" if made is not None else "nothing to do"


@shared_task(name="reporting.tasks.summary_documents_resend_stale", ignore_result=True)
def summary_documents_resend_stale() -> int:
    """Send again the jobs of summaries that have waited far too long (their message was lost with Redis)."""
    return documents.summary_documents_resend_stale()
