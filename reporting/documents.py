"""The PDF summary of the aggregate figures: asked for on the reports page, made by a Celery job, downloaded.

`summary_document_request` writes a row ("queued") and sends it to reporting.tasks.render_summary_document
once committed; the task calls `summary_document_render`, which builds the same report as the page
(reporting/figures.py: the same suppressed cells) and prints it. The rendering, the job's steps and
the progress block are the shared ones in cases/pdf.py. A summary is its requester's alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, User
from cases import access
from cases.pdf import (
    DocumentProgress,
    RenderedPdf,
    document_claim,
    document_failed,
    document_store,
    documents_resend_stale,
    human_size,
    is_late,
    is_stale,
    render_pdf,
)
from config.jobs import enqueue_each
from formulation.models import DocumentStatus
from reporting.figures import build_report
from reporting.models import SummaryDocument
from reporting.scope import ReportScope, report_scope
from reporting.suppression import FEW_CASES, HIDDEN_COUNT, NO_CASES, SMALL_COUNT

logger = logging.getLogger(__name__)

RECORD_TYPE = "aggregate report"
TEMPLATE = "pdf/reporting_summary.html"
# The summaries shown on the reports page: the person's latest few.
SHOWN_ON_THE_PAGE = 3


class SummaryNotRenderable(Exception):
    """The summary cannot be made at all (trying again will not help)."""


# --- Writes ----------------------------------------------------------------------------------------


def summary_document_request(*, user: User, start: dt.date, end: dt.date, agency_ids: Sequence[int]) -> SummaryDocument:
    """Write down a summary PDF of the chosen figures, log the export, and send it to the job once committed."""
    if not access.may_read_aggregate_reports(user):
        raise PermissionDenied("Reports are for case managers, ECM clinicians and commissioners.")
    scope = report_scope(user, start=start, end=end, agency_ids=agency_ids)
    with transaction.atomic(), acting_as(user):
        document = SummaryDocument.objects.create(
            requested_by=user, start=start, end=end, agency_ids=sorted({int(pk) for pk in agency_ids})
        )
        access_event_record(
            user=user,
            action=AccessAction.EXPORT,
            record_type=RECORD_TYPE,
            record_id=document.pk,
            description=f"summary PDF asked for: {scope.period_text}; {scope.agencies_text}",
        )
        transaction.on_commit(lambda: _enqueue([document.pk]))
    return document


def summary_document_retry(*, document: SummaryDocument, actor: User) -> SummaryDocument:
    """Make a failed summary again (or one whose job has waited far too long: its message may have been lost)."""
    with transaction.atomic(), acting_as(actor):
        document = SummaryDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.FAILED and not is_stale(document):
            raise ValidationError("This PDF is being made or is ready: there is nothing to try again.")
        document.status = DocumentStatus.QUEUED
        document.attempts = 0
        document.error = ""
        document.finished_at = None
        document.requested_at = timezone.now()
        document.save(update_fields=["status", "attempts", "error", "finished_at", "requested_at"])
        document_id = document.pk
        transaction.on_commit(lambda: _enqueue([document_id]))
    return document


def _enqueue(document_ids: Iterable[int]) -> None:
    """Send the jobs (called once committed). If Redis is down the rows stay queued: the sweep (or "Start
    again") sends them later; the page never fails (config/jobs.py)."""
    from reporting.tasks import render_summary_document

    enqueue_each(render_summary_document, document_ids)


def summary_documents_resend_stale() -> int:
    """Send again the jobs of summaries that waited too long (a lost message); how many were sent."""
    return documents_resend_stale(SummaryDocument.objects.all(), _enqueue)


def summary_document_render(*, document_id: int) -> SummaryDocument | None:
    """Make one summary PDF and keep it; None when there is nothing to do (ready already, or gone)."""
    documents = SummaryDocument.objects.select_related("requested_by")
    with acting_as(None, job="render_summary_document"):
        document = document_claim(documents, document_id)
        if document is None:
            return None
        rendered = summary_pdf_render(document)
        return document_store(documents, document, rendered, filename=summary_document_filename(document))


def summary_document_failed(*, document_id: int, message: str, final: bool) -> None:
    """Record a failed attempt (queued again while retries remain, failed after the last)."""
    with acting_as(None, job="render_summary_document"):
        document_failed(SummaryDocument.objects.all(), document_id, message=message, final=final)


def summary_scope(document: SummaryDocument) -> ReportScope:
    """What the summary covers: the chosen services the requester may still see, as on the day they asked."""
    user = document.requested_by
    if not user.is_active or not access.may_read_aggregate_reports(user):
        raise SummaryNotRenderable("The person who asked for it may no longer read reports.")
    return report_scope(
        user,
        start=document.start,
        end=document.end,
        agency_ids=document.agency_ids,
        today=timezone.localdate(document.requested_at),
    )


def summary_pdf_render(document: SummaryDocument) -> RenderedPdf:
    """Print the report for the summary's scope (the job, and the tests, call this)."""
    report = build_report(summary_scope(document))
    context: dict[str, Any] = {
        "report": report,
        "scope": report.scope,
        "marks": {"small": SMALL_COUNT, "hidden": HIDDEN_COUNT, "few": FEW_CASES, "none": NO_CASES},
        "printed_on": timezone.localdate(document.requested_at),
    }
    return render_pdf(template_name=TEMPLATE, context=context)


def summary_document_filename(document: SummaryDocument) -> str:
    return f"ecm-figures-{document.start:%Y-%m-%d}-to-{document.end:%Y-%m-%d}.pdf"


# --- Reads for the pages ---------------------------------------------------------------------------


def summary_documents_for(user: Any) -> list[SummaryDocument]:
    """The person's latest summaries, newest first."""
    return list(SummaryDocument.objects.filter(requested_by=user).order_by("-requested_at", "-pk")[:SHOWN_ON_THE_PAGE])


def summary_document_for(user: Any, document_id: int) -> SummaryDocument:
    """One of the person's own summaries (403 for those who may not read reports, 404 for anyone else's)."""
    if not access.may_read_aggregate_reports(user):
        raise PermissionDenied("Reports are for case managers, ECM clinicians and commissioners.")
    document = SummaryDocument.objects.filter(pk=document_id, requested_by=user).first()
    if document is None:
        raise Http404("No such summary")
    return document


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def summary_document_progress(document: SummaryDocument) -> DocumentProgress:
    """One summary as the progress block shows it ("Check again" reloads the reports page)."""
    ready = document.status == DocumentStatus.READY
    stale = is_stale(document)
    download_label = ""
    if ready:
        size = human_size(document.file.size) if document.file else ""
        pages = f"{document.pages} page{'s' if document.pages != 1 else ''}"
        download_label = f"Download the summary (PDF, {pages}, {size})"
    asked = timezone.localtime(document.requested_at)
    return DocumentProgress(
        key=f"summary-{document.pk}",
        title=f"Summary of {_day(document.start)} to {_day(document.end)}",
        description=f"Asked for on {asked.day} {asked:%B %Y} at {asked:%H:%M}.",
        status=document.status,
        status_label=DocumentStatus(document.status).label,
        status_url=reverse("reporting:summary_status", args=[document.pk]),
        download_url=reverse("reporting:summary_download", args=[document.pk]) if ready else "",
        download_label=download_label,
        check_again_url=reverse("reporting:dashboard") + "#summaries",
        error=document.error if document.status == DocumentStatus.FAILED else "",
        retry_url=reverse("reporting:summary_retry", args=[document.pk])
        if document.status == DocumentStatus.FAILED or stale
        else "",
        retry_label="Start again" if stale else "Try again",
        stale=stale,
        late=is_late(document),
    )
