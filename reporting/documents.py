"""The PDF summary of the aggregate figures: asked for on the reports page, made by the document pipeline, downloaded.

`summary_document_request` writes a row ("queued") and sends it to the render job once committed;
the job builds the same report as the page (reporting/figures.py: the same suppressed cells) and
prints it. The lifecycle, the job, the resend sweep and the progress block are core/documents/'s;
this module supplies what differs (`SUMMARY_KIND`, registered in reporting/apps.py). A summary is
its requester's alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, User
from cases import access
from core.documents.progress import DocumentLinks, DocumentProgress, document_progress
from core.documents.registry import DocumentKindSpec
from core.documents.rendering import DocumentNotRenderable
from core.documents.services import documents_send_on_commit
from reporting import comparison
from reporting.figures import Figure, FigureRow, Report, Section
from reporting.headline import headline_for, report_charts
from reporting.models import SummaryDocument
from reporting.report_cache import cached_report
from reporting.scope import ReportScope, report_scope
from reporting.suppression import MARKS

RECORD_TYPE = "aggregate report"
# What the render job is sent (core.documents.tasks.render_document).
SUMMARY = "reporting.summary"
TEMPLATE = "pdf/reporting_summary.html"
# The summaries shown on the reports page: the person's latest few.
SHOWN_ON_THE_PAGE = 3
# Up to this many services, the summary prints every table in full, as the page shows it. Beyond, the tables by
# service (a row per service: 110 for a national scope, three such tables) would make most of the PDF and most of
# its printing time (issue 18: a quarter across all services in 1.5 s), so they print their totals for all the
# services; each service's own figures are on the reports page and in both CSV downloads.
SERVICES_IN_FULL = 12
SERVICE_COLUMN = "Service"


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
        documents_send_on_commit(SUMMARY, [document.pk])
    return document


def summary_scope(document: SummaryDocument) -> ReportScope:
    """What the summary covers: the chosen services the requester may still see, as on the day they asked."""
    user = document.requested_by
    if not user.is_active or not access.may_read_aggregate_reports(user):
        raise DocumentNotRenderable("The person who asked for it may no longer read reports.")
    return report_scope(
        user,
        start=document.start,
        end=document.end,
        agency_ids=document.agency_ids,
        today=timezone.localdate(document.requested_at),
    )


@dataclass(frozen=True)
class PrintedFigure:
    """A figure's table as the summary prints it: every row, or (many services) only its total rows."""

    figure: Figure
    rows: list[FigureRow]
    by_service_elsewhere: bool = False


def summary_printed_sections(report: Report) -> list[tuple[Section, list[PrintedFigure]]]:
    """The tables the summary prints, section by section: every row, as on the page; with more than
    `SERVICES_IN_FULL` services, a table by service prints its total rows only. Every cell is the page's own
    (the same suppressed `Shown`)."""
    compact = len(report.scope.agencies) > SERVICES_IN_FULL
    sections = []
    for section in report.sections:
        printed = []
        for figure in section.figures:
            if compact and figure.header and figure.header[0] == SERVICE_COLUMN and figure.total_rows:
                printed.append(PrintedFigure(figure, figure.total_rows, by_service_elsewhere=True))
            else:
                printed.append(PrintedFigure(figure, figure.rows))
        sections.append((section, printed))
    return sections


def summary_pdf_context(document: SummaryDocument) -> dict[str, Any]:
    """What the print template shows: the key figures against the previous period, the charts, then the tables.

    The key figures and charts are reporting/headline.py's (the page's own); the previous period's report is
    the page's cached one too.
    """
    scope = summary_scope(document)
    report = cached_report(scope)
    headline = headline_for(scope, comparison.PREVIOUS)
    sections = summary_printed_sections(report)
    return {
        "report": report,
        "scope": report.scope,
        "marks": MARKS,
        "printed_on": timezone.localdate(document.requested_at),
        "headline": headline.figures,
        "earlier_scope": headline.earlier_scope,
        "when": headline.when,
        "charts": report_charts(report),
        "sections": sections,
        "services_in_full": SERVICES_IN_FULL,
    }


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
    asked = timezone.localtime(document.requested_at)
    return document_progress(
        document,
        key=f"summary-{document.pk}",
        title=f"Summary of {_day(document.start)} to {_day(document.end)}",
        description=f"Asked for on {asked.day} {asked:%B %Y} at {asked:%H:%M}.",
        noun="summary",
        links=DocumentLinks(
            status=reverse("reporting:summary_status", args=[document.pk]),
            download=reverse("reporting:summary_download", args=[document.pk]),
            check_again=reverse("reporting:dashboard") + "#summaries",
            retry=reverse("reporting:summary_retry", args=[document.pk]),
        ),
        may_retry=True,
    )


# --- The kind the document pipeline makes (registered in reporting/apps.py) ------------------------


def _may_download(user: Any, document: SummaryDocument) -> bool:
    return document.requested_by_id == user.pk and access.may_read_aggregate_reports(user)


SUMMARY_KIND: DocumentKindSpec[SummaryDocument] = DocumentKindSpec(
    name=SUMMARY,
    model=SummaryDocument,
    template=lambda document: TEMPLATE,
    context=summary_pdf_context,
    filename=summary_document_filename,
    may_download=_may_download,
    related=("requested_by",),
)
