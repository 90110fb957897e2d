"""The one lifecycle of a document's job: requested → claimed → ready or failed, with retries, a lease and a sweep.

A row is written ("queued") before its job is sent, so a lost message loses nothing. The job
(core.documents.tasks.render_document) claims the row, renders the kind's template and stores the
PDF; an unexpected error is tried again after 10, 20 and 40 s, then the row is failed with the
reason and the page offers "Try again". The resend sweep sends again the rows whose message or
worker was lost.

How a job lost with its message or its worker is made within two minutes, still exactly once:
- a render is stopped (SoftTimeLimitExceeded: an ordinary failed attempt, retried) after
  PDF_SOFT_TIME_LIMIT_SECONDS and killed after PDF_TIME_LIMIT_SECONDS (renders take 0.3-0.7 s; a
  10-page report about 1 s);
- a worker claims a job by stamping `claimed_at` just before the render (document_claim) and
  writes it ready just after; a claim older than CLAIM_LEASE_SECONDS, longer than the hard time
  limit, can only be a dead worker's, so the job may be claimed again and is sent again (claims are
  stamped and compared with each machine's clock: keep them synchronised, as NTP does);
- a queued job nobody has taken (or been sent again) for STALE_AFTER_SECONDS lost its message;
- the resend sweep runs every RESEND_EVERY_SECONDS (CELERY_BEAT_SCHEDULE, config/settings/base.py).
Worst case from a worker's death to the job sent again: CLAIM_LEASE_SECONDS + RESEND_EVERY_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, TypeVar

import pghistory
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from core.documents.models import DocumentState, RenderedDocument
from core.documents.registry import document_kind
from core.documents.rendering import RenderedPdf, render_pdf

# A failed render is tried again this many times, waiting PDF_RETRY_BACKOFF_SECONDS, then twice as long.
PDF_MAX_RETRIES = 3
PDF_RETRY_BACKOFF_SECONDS = 10

PDF_SOFT_TIME_LIMIT_SECONDS = 30
PDF_TIME_LIMIT_SECONDS = 40
CLAIM_LEASE_SECONDS = 50  # the hard time limit and 10 s to spare for clocks a little apart
STALE_AFTER_SECONDS = 60
RESEND_EVERY_SECONDS = 60

D = TypeVar("D", bound=RenderedDocument)


# --- Asking ---------------------------------------------------------------------------------------


def document_queue_again(document: RenderedDocument) -> None:
    """Queue a document afresh (asked for again, or "Try again"): no attempts yet, no error."""
    document.status = DocumentState.QUEUED
    document.attempts = 0
    document.error = ""
    document.finished_at = None
    document.requested_at = timezone.now()
    document.save(update_fields=["status", "attempts", "error", "finished_at", "requested_at"])


# --- The job's steps ------------------------------------------------------------------------------


def document_render(kind: str, document_id: int) -> RenderedDocument | None:
    """Claim, render and keep one document of a registered kind; None when there is nothing to do.

    Raises DocumentNotRenderable when it can never be made, any other error when this attempt failed.
    """
    spec = document_kind(kind)
    documents = spec.model.objects.select_related(*spec.related)
    with pghistory.context(user=None, job="render_document", document_kind=kind):
        document = document_claim(documents, document_id)
        if document is None:
            return None
        rendered = render_pdf(template_name=spec.template(document), context=spec.context(document))
        return document_store(documents, document, rendered, filename=spec.filename(document))


def document_claim(documents: models.QuerySet[D], document_id: int) -> D | None:
    """Claim a queued document for this worker and count the attempt; None when there is nothing to do.

    A ready or failed document is left alone (the task runs at least once, so it may run again), and
    so is one another worker holds: locked right now, or claimed less than CLAIM_LEASE_SECONDS ago (a
    duplicate message never renders twice). A claim older than that is a dead worker's: taken over.
    """
    with transaction.atomic():
        document = documents.select_for_update(skip_locked=True, of=("self",)).filter(pk=document_id).first()
        if document is None or not _claimable(document, timezone.now()):
            return None
        document.status = DocumentState.RENDERING
        document.attempts += 1
        document.claimed_at = timezone.now()
        document.save(update_fields=["status", "attempts", "claimed_at"])
    return document


def _claimable(document: RenderedDocument, now: dt.datetime) -> bool:
    if document.status == DocumentState.QUEUED:
        return True
    return document.status == DocumentState.RENDERING and _claim_expired(document, now)


def _claim_expired(document: RenderedDocument, now: dt.datetime) -> bool:
    claimed = document.claimed_at or document.requested_at
    return (now - claimed).total_seconds() > CLAIM_LEASE_SECONDS


def _last_handled(document: RenderedDocument) -> dt.datetime:
    """When a queued job was last asked for ("Try again" too), claimed or sent again, whichever is latest."""
    return max(document.requested_at, document.claimed_at or document.requested_at)


def document_store(documents: models.QuerySet[D], document: D, rendered: RenderedPdf, *, filename: str) -> D:
    """Keep the PDF's bytes (default storage, under MEDIA_ROOT) and its checksum, and mark the document ready."""
    field: FieldFile = document.file
    stored_name = field.field.generate_filename(document, filename)
    stored_name = field.storage.save(stored_name, ContentFile(rendered.content), max_length=field.field.max_length)
    with transaction.atomic():
        current = documents.select_for_update(of=("self",)).get(pk=document.pk)
        if current.status != DocumentState.RENDERING or current.attempts != document.attempts:
            # reset, finished or claimed again by another run meanwhile: that run's result counts
            field.storage.delete(stored_name)
            return current
        previous_name = current.file.name
        current.file.name = stored_name
        current.checksum = hashlib.sha256(rendered.content).hexdigest()
        current.status = DocumentState.READY
        current.pages = rendered.pages
        current.render_seconds = round(rendered.seconds, 3)
        current.error = ""
        current.finished_at = timezone.now()
        current.save(update_fields=["file", "checksum", "status", "pages", "render_seconds", "error", "finished_at"])
        if previous_name and previous_name != stored_name:
            transaction.on_commit(lambda: field.storage.delete(previous_name))
    return current


def document_failed(kind: str, document_id: int, *, message: str, final: bool) -> None:
    """Record a failed attempt: queued again while retries remain, failed with the message after the last."""
    status = DocumentState.FAILED if final else DocumentState.QUEUED
    documents = document_kind(kind).model.objects
    with pghistory.context(user=None, job="render_document", document_kind=kind):
        documents.filter(pk=document_id, status__in=[DocumentState.QUEUED, DocumentState.RENDERING]).update(
            status=status, error=message[:1000], finished_at=timezone.now() if final else None
        )


def failure_message(error: BaseException, *, attempts: int, final: bool) -> str:
    """What the page says about a failed attempt: plain words first, then the technical reason."""
    reason = f"{type(error).__name__}: {error}"[:300]
    if final:
        return (
            f"The PDF could not be made after {attempts} attempt{'s' if attempts != 1 else ''}. "
            f"Try again; if it fails again, tell the ECM service desk. (Reason: {reason})"
        )
    return f"Attempt {attempts} failed and will be tried again shortly. (Reason: {reason})"


def retry_countdown(retries_so_far: int) -> int:
    """Seconds before the next attempt: 10, 20, 40..."""
    return int(PDF_RETRY_BACKOFF_SECONDS * 2**retries_so_far)


# --- Lost jobs ------------------------------------------------------------------------------------


def is_stale(document: RenderedDocument, *, now: dt.datetime | None = None) -> bool:
    """A job whose message or worker was lost: queued and not sent or taken for STALE_AFTER_SECONDS,
    or claimed by a worker longer ago than CLAIM_LEASE_SECONDS. The resend sweep sends it again."""
    now = now or timezone.now()
    if document.status == DocumentState.QUEUED:
        return (now - _last_handled(document)).total_seconds() > STALE_AFTER_SECONDS
    return document.status == DocumentState.RENDERING and _claim_expired(document, now)


def is_late(document: RenderedDocument, *, now: dt.datetime | None = None) -> bool:
    """What the page says "taking longer than usual — we are retrying" for: the job is stale, is
    waiting longer than STALE_AFTER_SECONDS since it was asked for, or is being tried again after an
    attempt that failed or was lost with its worker."""
    now = now or timezone.now()
    if document.status not in (DocumentState.QUEUED, DocumentState.RENDERING):
        return False
    retrying = document.attempts > (1 if document.status == DocumentState.RENDERING else 0)
    waited = (now - document.requested_at).total_seconds() > STALE_AFTER_SECONDS
    return retrying or waited or is_stale(document, now=now)


def stale_documents(documents: models.QuerySet[D], *, now: dt.datetime | None = None) -> models.QuerySet[D]:
    """The rows `is_stale` is true for, as one query."""
    now = now or timezone.now()
    queued_before = now - dt.timedelta(seconds=STALE_AFTER_SECONDS)
    claimed_before = now - dt.timedelta(seconds=CLAIM_LEASE_SECONDS)
    queued = Q(status=DocumentState.QUEUED, requested_at__lt=queued_before) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=queued_before)
    )
    lost = Q(status=DocumentState.RENDERING) & (
        Q(claimed_at__lt=claimed_before) | Q(claimed_at__isnull=True, requested_at__lt=claimed_before)
    )
    return documents.filter(queued | lost)


def documents_take_stale(documents: models.QuerySet[Any]) -> list[int]:
    """For the resend sweep: the stale rows' ids, each queued again with `claimed_at` stamped now ("sent again").

    So a row is not sent again for another STALE_AFTER_SECONDS and the next claim takes it. Rows are
    locked while they are marked, so two sweeps at once (two beats) take each job once; a duplicate
    message anyway does nothing (document_claim).
    """
    now = timezone.now()
    with transaction.atomic():
        stale = stale_documents(documents, now=now).select_for_update(skip_locked=True, of=("self",))
        ids = list(stale.values_list("pk", flat=True))
        if ids:
            documents.filter(pk__in=ids).update(status=DocumentState.QUEUED, claimed_at=now)
    return ids
