"""PDF documents made by a Celery job: rendering with WeasyPrint, the job's steps, progress on the page.

The one place ECM turns HTML into PDF (the formulation report now; the review record and the
commissioners' summary use the same path). What an app adds for a new kind of document:

1. A model with the fields of formulation.models.ReportDocument (`status` with the four values of
   `DocumentState`, `file`, `pages`, `render_seconds`, `attempts`, `error`, `requested_at`, `claimed_at`,
   `finished_at`); a row is written, status "queued", before anything is sent to Celery, so a lost message
   loses nothing.
2. A print template extending `pdf/base.html` (A4, Arial, "Page X of Y" in the footer) that fills
   `running_header` with what may be printed on every page: initials and the case number, never
   a child's name. Charts are inlined SVG (trm_stages/charts.py), tables avoid breaking rows.
3. A task that takes the row's id and calls these steps (formulation/documents.py and tasks.py do)::

       document = document_claim(Model.objects.all(), document_id)  # None: ready already, nothing to do
       if document is not None:
           rendered = render_pdf(template_name="pdf/review_record.html", context={...})
           document_store(Model.objects.all(), document, rendered, filename="ecm-case-12-review-3.pdf")
       # On an unexpected error: document_failed(..., message=failure_message(error, ...), final=...)
       # and self.retry(countdown=retry_countdown(retries)) up to PDF_MAX_RETRIES times.

   Give the task `soft_time_limit=PDF_SOFT_TIME_LIMIT_SECONDS, time_limit=PDF_TIME_LIMIT_SECONDS`.
   Send it with `transaction.on_commit`, never before the row is committed; a sweep task (beat, every
   minute) calls `documents_resend_stale`, which sends again the rows that are stale (`is_stale`): queued
   longer than STALE_AFTER_SECONDS (their message was lost), or claimed by a worker longer ago than
   CLAIM_LEASE_SECONDS (that worker died mid-render).
4. Views, all through the access module (cases.access): a status view answering `document_status_response(request,
   progress)`, a download view answering `document_download_response(...)` after writing an
   access event with `AccessAction.DOWNLOAD`, and a POST view to try a failed one again.
   Pages show each document with ``{% include "includes/document_progress.html" with progress=... %}``
   (a `DocumentProgress`): static/ecm/document_progress.js polls the status URL every 2 s and puts
   the download link, or the error and a "Try again" button, in place; without JavaScript the
   "Check again" link reloads the page (a refresh meta would break the Content-Security-Policy).
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO: far too chatty for a worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A failed render is tried again this many times, waiting PDF_RETRY_BACKOFF_SECONDS, then twice as long.
PDF_MAX_RETRIES = 3
PDF_RETRY_BACKOFF_SECONDS = 10


class DocumentState(StrEnum):
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


# How a job lost with its message or its worker is made within two minutes, still exactly once:
# - a render is stopped (SoftTimeLimitExceeded: an ordinary failed attempt, retried) after
#   PDF_SOFT_TIME_LIMIT_SECONDS and killed after PDF_TIME_LIMIT_SECONDS (renders take 0.3-0.7 s; a
#   10-page report about 1 s);
# - a worker claims a job by stamping `claimed_at` just before the render (document_claim) and
#   writes it ready just after; a claim older than CLAIM_LEASE_SECONDS, longer than the hard time
#   limit, can only be a dead worker's, so the job may be claimed again and is sent again (claims are
#   stamped and compared with each machine's clock: keep them synchronised, as NTP does);
# - a queued job nobody has taken (or been sent again) for STALE_AFTER_SECONDS lost its message;
# - the resend sweeps run every RESEND_EVERY_SECONDS (CELERY_BEAT_SCHEDULE, config/settings/base.py).
# Worst case from a worker's death to the job sent again: CLAIM_LEASE_SECONDS + RESEND_EVERY_SECONDS.
PDF_SOFT_TIME_LIMIT_SECONDS = 30
PDF_TIME_LIMIT_SECONDS = 40
CLAIM_LEASE_SECONDS = 50  # the hard time limit and 10 s to spare for clocks a little apart
STALE_AFTER_SECONDS = 60
RESEND_EVERY_SECONDS = 60

# Tests only (config.settings.test): a render waits this long first, so a test can kill its worker
# mid-render (tests/faults/test_worker_killed.py). Ignored under any other settings module.
TEST_RENDER_DELAY_ENV = "ECM_TEST_RENDER_DELAY_SECONDS"


class PdfRenderError(Exception):
    """The PDF could not be made (a resource was refused or could not be read)."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float


def pdf_base_url() -> str:
    """Where the print templates' relative and /static/ URLs are resolved (never fetched over the network)."""
    return settings.ECM_BASE_URL.rstrip("/") + "/"


class StaticFilesOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to the project's own static files and data: URLs.

    Anything else (another host, file:, a redirect) stops the render: a print template that needs
    something from outside is a bug, and a fetch from outside could leak what the PDF is about.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__(allowed_protocols={"http", "https", "data"}, allow_redirects=False, fail_on_errors=True)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_prefix):
            raise PdfRenderError(f"PDFs may only use the project's static files, not {url[:100]}")
        name = unquote(urlsplit(url).path[len(urlsplit(self.static_prefix).path) :])
        path = _static_file(name)
        if path is None:
            raise PdfRenderError(f"No static file {name[:100]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_file(name: str) -> Path | None:
    if not name or ".." in Path(name).parts or name.startswith("/"):
        return None
    if staticfiles_storage.exists(name):  # collected (and hashed) in production
        return Path(staticfiles_storage.path(name))
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def render_pdf(*, template_name: str, context: dict[str, Any], base_url: str | None = None) -> RenderedPdf:
    """Render a print template to PDF bytes, with the number of pages and how long it took."""
    started = time.perf_counter()
    _test_render_delay()
    html = render_to_string(template_name, context)
    base = base_url or pdf_base_url()
    try:
        document = HTML(string=html, base_url=base, url_fetcher=StaticFilesOnlyFetcher(base)).render()
        content = document.write_pdf()
    except FatalURLFetchingError as error:  # a BaseException: made an ordinary error so the job retries
        raise PdfRenderError(str(error.__cause__ or error)) from error
    return RenderedPdf(content=content, pages=len(document.pages), seconds=time.perf_counter() - started)


def _test_render_delay() -> None:
    if settings.SETTINGS_MODULE == "config.settings.test" and os.environ.get(TEST_RENDER_DELAY_ENV):
        time.sleep(float(os.environ[TEST_RENDER_DELAY_ENV]))


# --- The job's steps, for any model with the fields of a PDF document ------------------------------


D = TypeVar("D", bound=models.Model)


def document_claim(documents: models.QuerySet[D], document_id: int) -> D | None:
    """Claim a queued document for this worker and count the attempt; None when there is nothing to do.

    A ready or failed document is left alone (the task runs at least once, so it may run again), and
    so is one another worker holds: locked right now, or claimed less than CLAIM_LEASE_SECONDS ago (a
    duplicate message never renders twice). A claim older than that is a dead worker's: taken over.
    """
    with transaction.atomic():
        document: Any = documents.select_for_update(skip_locked=True, of=("self",)).filter(pk=document_id).first()
        if document is None or not _claimable(document, timezone.now()):
            return None
        document.status = DocumentState.RENDERING
        document.attempts += 1
        document.claimed_at = timezone.now()
        document.save(update_fields=["status", "attempts", "claimed_at"])
    return document


def _claimable(document: Any, now: Any) -> bool:
    if document.status == DocumentState.QUEUED:
        return True
    return document.status == DocumentState.RENDERING and _claim_expired(document, now)


def _claim_expired(document: Any, now: Any) -> bool:
    claimed = document.claimed_at or document.requested_at
    return bool((now - claimed).total_seconds() > CLAIM_LEASE_SECONDS)


def _last_handled(document: Any) -> Any:
    """When a queued job was last asked for ("Try again" too), claimed or sent again, whichever is latest."""
    return max(document.requested_at, document.claimed_at or document.requested_at)


def document_store(documents: models.QuerySet[D], document: D, rendered: RenderedPdf, *, filename: str) -> D:
    """Keep the PDF's bytes (default storage, under MEDIA_ROOT) and mark the document ready."""
    row: Any = document
    field: FieldFile = row.file
    stored_name = field.field.generate_filename(row, filename)
    stored_name = field.storage.save(stored_name, ContentFile(rendered.content), max_length=field.field.max_length)
    with transaction.atomic():
        current: Any = documents.select_for_update(of=("self",)).get(pk=row.pk)
        if current.status != DocumentState.RENDERING or current.attempts != row.attempts:
            # reset, finished or claimed again by another run meanwhile: that run's result counts
            field.storage.delete(stored_name)
            return current
        previous_name = current.file.name
        current.file.name = stored_name
        current.status = DocumentState.READY
        current.pages = rendered.pages
        current.render_seconds = round(rendered.seconds, 3)
        current.error = ""
        current.finished_at = timezone.now()
        current.save(update_fields=["file", "status", "pages", "render_seconds", "error", "finished_at"])
        if previous_name and previous_name != stored_name:
            transaction.on_commit(lambda: field.storage.delete(previous_name))
    return current


def document_failed(documents: models.QuerySet[D], document_id: int, *, message: str, final: bool) -> None:
    """Record a failed attempt: queued again while retries remain, failed with the message after the last."""
    status = DocumentState.FAILED if final else DocumentState.QUEUED
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


def is_stale(document: Any, *, now: Any = None) -> bool:
    """A job whose message or worker was lost: queued and not sent or taken for STALE_AFTER_SECONDS,
    or claimed by a worker longer ago than CLAIM_LEASE_SECONDS. The resend sweep sends it again."""
    now = now or timezone.now()
    if document.status == DocumentState.QUEUED:
        return bool((now - _last_handled(document)).total_seconds() > STALE_AFTER_SECONDS)
    return document.status == DocumentState.RENDERING and _claim_expired(document, now)


def is_late(document: Any, *, now: Any = None) -> bool:
    """What the page says "taking longer than usual — we are retrying" for: the job is stale, is
    waiting longer than STALE_AFTER_SECONDS since it was asked for, or is being tried again after an
    attempt that failed or was lost with its worker."""
    now = now or timezone.now()
    if document.status not in (DocumentState.QUEUED, DocumentState.RENDERING):
        return False
    retrying = document.attempts > (1 if document.status == DocumentState.RENDERING else 0)
    waited = (now - document.requested_at).total_seconds() > STALE_AFTER_SECONDS
    return retrying or waited or is_stale(document, now=now)


def stale_documents(documents: models.QuerySet[D], *, now: Any = None) -> models.QuerySet[D]:
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


def documents_resend_stale(documents: models.QuerySet[D], enqueue: Callable[[list[int]], None]) -> int:
    """The resend sweep (beat, every RESEND_EVERY_SECONDS): send the stale jobs again; how many were sent.

    Each is queued again with `claimed_at` stamped now ("sent again"), so it is not sent again for
    another STALE_AFTER_SECONDS and the next claim takes it. Rows are locked while they are marked, so
    two sweeps at once (two beats) send each job once; a duplicate message anyway does nothing
    (document_claim).
    """
    now = timezone.now()
    with transaction.atomic():
        stale = stale_documents(documents, now=now).select_for_update(skip_locked=True, of=("self",))
        ids = list(stale.values_list("pk", flat=True))
        if ids:
            documents.filter(pk__in=ids).update(status=DocumentState.QUEUED, claimed_at=now)
    if ids:
        enqueue(ids)
    return len(ids)


# --- Progress on the page -------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentProgress:
    """One document as includes/document_progress.html shows it. URLs are empty when not offered."""

    key: str  # unique on the page, for element ids
    title: str
    description: str
    status: str
    status_label: str
    status_url: str
    download_url: str
    download_label: str
    check_again_url: str
    error: str = ""
    retry_url: str = ""
    retry_label: str = "Try again"
    stale: bool = False  # lost with its message or worker: "Start again" is offered (cases.pdf.is_stale)
    late: bool = False  # "taking longer than usual — we are retrying" (cases.pdf.is_late)

    @property
    def finished(self) -> bool:
        return self.status in (DocumentState.READY, DocumentState.FAILED)

    @property
    def tag_colour(self) -> str:
        return {
            DocumentState.QUEUED: "govuk-tag--grey",
            DocumentState.RENDERING: "govuk-tag--blue",
            DocumentState.READY: "govuk-tag--green",
            DocumentState.FAILED: "govuk-tag--red",
        }.get(DocumentState(self.status), "")


def document_status_response(request: HttpRequest, progress: DocumentProgress) -> JsonResponse:
    """The JSON the progress script polls: the state, and the block's new markup to put in place."""
    html = render_to_string("includes/document_progress_body.html", {"progress": progress}, request=request)
    body = {**asdict(progress), "finished": progress.finished, "html": html}
    return JsonResponse(body)


def document_download_response(*, file: FieldFile, filename: str) -> FileResponse:
    """The stored PDF as an attachment. `filename` names the case and kind, never the child."""
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
