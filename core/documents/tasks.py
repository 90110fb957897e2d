"""The pipeline's Celery tasks: the one render job, addressed by kind name, and the one resend sweep.

`render_document(kind, document_id)` is idempotent: a document that is ready (or failed, or gone)
is left alone, so a second delivery of the same message does nothing. An unexpected error is tried
again after 10, 20 and 40 seconds; after the third retry the document is marked failed with the
reason, and the page offers "Try again". A document that can never be made fails at once.
Celery finds these through core/tasks.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task

from core.documents import lifecycle
from core.documents.registry import UnknownDocumentKind, document_kind, document_kinds
from core.documents.rendering import DocumentNotRenderable
from core.jobs import enqueue_each

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="core.documents.render_document",
    max_retries=lifecycle.PDF_MAX_RETRIES,
    soft_time_limit=lifecycle.PDF_SOFT_TIME_LIMIT_SECONDS,
    time_limit=lifecycle.PDF_TIME_LIMIT_SECONDS,
    ignore_result=True,
)
def render_document(self: Any, kind: str, document_id: int) -> str:
    """Make one document of a registered kind and keep it; what happened, for the logs."""
    try:
        document_kind(kind)
    except UnknownDocumentKind:
        logger.error("Document %s of unknown kind %r: not made", document_id, kind)
        return "unknown kind"
    try:
        made = lifecycle.document_render(kind, document_id)
    except DocumentNotRenderable as error:
        lifecycle.document_failed(kind, document_id, message=f"The PDF cannot be made: {error}", final=True)
        return "failed"
    except Exception as error:
        retries = self.request.retries
        final = retries >= self.max_retries
        logger.exception(
            "Document %s %s: attempt %s of %s failed", kind, document_id, retries + 1, self.max_retries + 1
        )
        message = lifecycle.failure_message(error, attempts=retries + 1, final=final)
        lifecycle.document_failed(kind, document_id, message=message, final=final)
        if final:
            return "failed"
        raise self.retry(exc=error, countdown=lifecycle.retry_countdown(retries)) from error
    return "ready" if made is not None else "nothing to do"


@shared_task(name="core.documents.documents_resend_stale", ignore_result=True)
def documents_resend_stale() -> int:
    """The resend sweep (beat, every minute): send again the jobs of every kind whose message or worker was
    lost (lifecycle.is_stale); how many were sent."""
    sent = 0
    for kind in document_kinds():
        ids = lifecycle.documents_take_stale(kind.model.objects.all())
        documents_send(kind.name, ids)
        sent += len(ids)
    return sent


def documents_send(kind: str, document_ids: Iterable[int]) -> int:
    """Send the render jobs (once committed); how many were sent. With the broker down the rows stay
    queued for the sweep (or "Start again") and the page never fails (core/jobs.py)."""
    return enqueue_each(render_document, document_ids, before=(kind,))
