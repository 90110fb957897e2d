"""The PDFs of a signed-off formulation report: asked for at sign-off, made by a Celery job, downloaded.

Three kinds (DocumentKind): the FULL report for the case team, the SUMMARY for the network (the
TRM stage and chart, strengths, underlying needs, recommendations and the child-friendly summary;
never the child's story, the presenting behaviour or the five Ps) and the CHILD-friendly summary
printed on its own. Every page is headed with the child's initials and the case number only.

`report_documents_request` writes a row per kind ("queued") and sends each to
formulation.tasks.render_report_document once committed; the task calls `report_document_render`.
The rendering, the job's steps and the progress block are shared with other apps: cases/pdf.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Membership, User
from cases import access
from cases.models import Case
from cases.pdf import (
    DocumentProgress,
    DocumentState,
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
from formulation.models import (
    REPORT_SECTIONS,
    DocumentKind,
    DocumentStatus,
    FormulationReport,
    Recommendation,
    ReportDocument,
    ReportStatus,
)
from trm_stages.models import Stage
from trm_stages.selectors import stage_journey

logger = logging.getLogger(__name__)

# Who may download each kind: the full record's readers, or everyone who sees the shared summary.
KIND_ACTIONS: dict[str, str] = {
    DocumentKind.FULL: "view",
    DocumentKind.SUMMARY: "view_summary",
    DocumentKind.CHILD: "view",
}
KIND_TEMPLATES: dict[str, str] = {
    DocumentKind.FULL: "pdf/report_full.html",
    DocumentKind.SUMMARY: "pdf/report_summary.html",
    DocumentKind.CHILD: "pdf/report_child.html",
}
KIND_DESCRIPTIONS: dict[str, str] = {
    DocumentKind.FULL: "Every section, the recommendations and the TRM stage chart, for the case team.",
    DocumentKind.SUMMARY: (
        "The TRM stage and chart, strengths, underlying needs and recommendations, to share with the network."
    ),
    DocumentKind.CHILD: "The child-friendly summary on its own, in larger type, for the child and family.",
}
KIND_ORDER = [DocumentKind.FULL, DocumentKind.SUMMARY, DocumentKind.CHILD]

# The five Ps are printed together under one heading in the full report.
FIVE_PS = (
    "presenting_factors",
    "predisposing_factors",
    "precipitating_factors",
    "perpetuating_factors",
    "protective_factors",
)
# What the network's summary prints of the report's sections, in this order.
SUMMARY_SECTIONS = ("strengths", "underlying_needs")


class DocumentNotRenderable(Exception):
    """The document cannot be made at all (trying again will not help)."""


# --- Writes ----------------------------------------------------------------------------------------


def kinds_for(report: FormulationReport) -> list[str]:
    """The PDFs a report has: the full report and the summary, and the child's when one was written."""
    kinds: list[str] = [DocumentKind.FULL, DocumentKind.SUMMARY]
    if report.child_friendly_summary.strip():
        kinds.append(DocumentKind.CHILD)
    return kinds


def report_documents_request(*, report: FormulationReport) -> list[ReportDocument]:
    """Write down the PDFs of a signed-off report and send each to the render job once committed.

    The sign-off service calls this in `transaction.on_commit`. Safe to call again: a ready PDF is
    kept (a signed-off report never changes), a failed one is queued afresh, a waiting one is sent again.
    """
    if report.status != ReportStatus.SIGNED_OFF:
        raise ValidationError("Only a signed-off report is made into PDFs.")
    requested: list[ReportDocument] = []
    with transaction.atomic(), acting_as(report.signed_off_by, job="report_documents_request"):
        for kind in kinds_for(report):
            document, _ = ReportDocument.objects.select_for_update().get_or_create(report=report, kind=kind)
            if document.status == DocumentStatus.READY:
                continue
            if document.status == DocumentStatus.FAILED:
                _queue_again(document)
            requested.append(document)
        ids = [document.pk for document in requested]
        transaction.on_commit(lambda: _enqueue(ids))
    return requested


def report_document_retry(*, document: ReportDocument, actor: User) -> ReportDocument:
    """Make a failed PDF again (or one whose job has waited far too long: its message may have been lost)."""
    with transaction.atomic(), acting_as(actor):
        document = ReportDocument.objects.select_for_update().select_related("report").get(pk=document.pk)
        if document.status != DocumentStatus.FAILED and not is_stale(document):
            raise ValidationError("This PDF is being made or is ready: there is nothing to try again.")
        if document.report.status != ReportStatus.SIGNED_OFF:
            raise ValidationError("Only a signed-off report is made into PDFs.")
        _queue_again(document)
        document_id = document.pk
        transaction.on_commit(lambda: _enqueue([document_id]))
    return document


def _queue_again(document: ReportDocument) -> None:
    document.status = DocumentStatus.QUEUED
    document.attempts = 0
    document.error = ""
    document.finished_at = None
    document.requested_at = timezone.now()
    document.save(update_fields=["status", "attempts", "error", "finished_at", "requested_at"])


def _enqueue(document_ids: Iterable[int]) -> None:
    """Send the jobs (called once committed). If Redis is down the rows stay queued: the sweep (or "Start
    again") sends them later; the page never fails (config/jobs.py)."""
    from formulation.tasks import render_report_document

    enqueue_each(render_report_document, document_ids)


def report_documents_resend_stale() -> int:
    """Send again the jobs of documents that waited too long (a lost message); how many were sent."""
    return documents_resend_stale(ReportDocument.objects.all(), _enqueue)


def report_document_render(*, document_id: int) -> ReportDocument | None:
    """Make one PDF and keep it; None when there is nothing to do (ready already, or gone)."""
    documents = ReportDocument.objects.select_related("report")
    with acting_as(None, job="render_report_document"):
        document = document_claim(documents, document_id)
        if document is None:
            return None
        rendered = report_pdf_render(report=document.report, kind=document.kind)
        return document_store(documents, document, rendered, filename=report_document_filename(document))


def report_document_failed(*, document_id: int, message: str, final: bool) -> None:
    """Record a failed attempt (queued again while retries remain, failed after the last)."""
    with acting_as(None, job="render_report_document"):
        document_failed(ReportDocument.objects.all(), document_id, message=message, final=final)


def report_pdf_render(*, report: FormulationReport, kind: str, today: dt.date | None = None) -> RenderedPdf:
    """Render one kind of PDF of a signed-off report (the job, and the benchmark, call this)."""
    if report.status != ReportStatus.SIGNED_OFF:
        raise DocumentNotRenderable("The report is not signed off.")
    if kind == DocumentKind.CHILD and not report.child_friendly_summary.strip():
        raise DocumentNotRenderable("The report has no child-friendly summary.")
    return render_pdf(template_name=KIND_TEMPLATES[kind], context=report_pdf_context(report, kind, today=today))


def report_document_filename(document: ReportDocument) -> str:
    """The file's name: the case number, version and kind, never the child's name."""
    return f"ecm-case-{document.report.case_id}-formulation-report-v{document.report.version}-{document.kind}.pdf"


# --- What the print templates get ------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedSection:
    name: str
    heading: str
    text: str


@dataclass(frozen=True)
class PrintedRecommendation:
    number: int
    text: str
    owner: str
    agency: str
    due_on: dt.date
    suits_from_stage: int
    stage_name: str
    justification: str


def report_pdf_context(report: FormulationReport, kind: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything a report's print template shows. The child is named only in the full report's details."""
    case = Case.objects.select_related("child", "owning_yjs").get(pk=report.case_id)
    journey = stage_journey(case=case, today=today)
    stage_names = journey.stage_names
    signer = report.signed_off_by
    context: dict[str, Any] = {
        "report": report,
        "case": case,
        "kind": kind,
        "kind_label": DocumentKind(kind).label,
        "initials": ".".join(case.child.initials) + ".",
        "running_header": f"{'.'.join(case.child.initials)}. · ECM case {case.pk}",
        "signed_off_on": timezone.localdate(report.signed_off_at) if report.signed_off_at else None,
        "signer_name": signer.get_full_name() if signer else "",
        "signer_role": _role_of(signer),
        "author_name": report.author.get_full_name(),
        "author_role": _role_of(report.author),
        "printed_on": today or timezone.localdate(),
    }
    if kind == DocumentKind.CHILD:
        context["given_name"] = case.child.given_name
        return context
    stage_number = report.trm_stage or (journey.current.stage.number if journey.current else None)
    context.update(
        {
            "journey": journey,
            "stage_number": stage_number,
            "stage_name": stage_names.get(stage_number, "") if stage_number else "",
            "stage_needs": _stage_needs(journey, stage_number),
            "recommendations": _recommendations(report, stage_names),
        }
    )
    sections = {name: PrintedSection(name, heading, getattr(report, name)) for name, heading, _ in REPORT_SECTIONS}
    if kind == DocumentKind.SUMMARY:
        context["sections"] = [sections[name] for name in SUMMARY_SECTIONS]
        return context
    context.update({"child": case.child, "meeting": report.meeting, "blocks": _full_report_blocks(sections)})
    return context


@dataclass(frozen=True)
class PrintedBlock:
    """A heading of the full report: one section, or the five Ps together."""

    heading: str
    sections: list[PrintedSection]

    @property
    def is_group(self) -> bool:
        return len(self.sections) > 1


def _full_report_blocks(sections: dict[str, PrintedSection]) -> list[PrintedBlock]:
    blocks: list[PrintedBlock] = []
    for name, section in sections.items():
        if name == FIVE_PS[0]:
            blocks.append(PrintedBlock("The five Ps", [sections[p] for p in FIVE_PS]))
        elif name not in FIVE_PS:
            blocks.append(PrintedBlock(section.heading, [section]))
    return blocks


def _role_of(person: User | None) -> str:
    if person is None:
        return ""
    membership = (
        Membership.objects.filter(user=person, is_active=True).select_related("agency").order_by("created_at").first()
    )
    return f"{membership.get_role_display()}, {membership.agency.name}" if membership else ""


def _stage_needs(journey: Any, stage_number: int | None) -> str:
    if not stage_number:
        return ""
    version_id = journey.current.stage.version_id if journey.current else None
    stages = Stage.objects.filter(number=stage_number)
    stage = stages.filter(version_id=version_id).first() if version_id else stages.order_by("-version").first()
    return stage.needs if stage else ""


def _recommendations(report: FormulationReport, stage_names: dict[int, str]) -> list[PrintedRecommendation]:
    recommendations = Recommendation.objects.filter(report=report).select_related("owner", "owner_agency")
    printed = []
    for number, recommendation in enumerate(recommendations.order_by("position", "pk"), start=1):
        owner = recommendation.owner.get_full_name() if recommendation.owner else recommendation.owner_name
        agency = recommendation.owner_agency.name if recommendation.owner_agency else recommendation.owner_agency_name
        printed.append(
            PrintedRecommendation(
                number=number,
                text=recommendation.text,
                owner=owner,
                agency=agency,
                due_on=recommendation.due_on,
                suits_from_stage=recommendation.suits_from_stage,
                stage_name=stage_names.get(recommendation.suits_from_stage, ""),
                justification=recommendation.justification,
            )
        )
    return printed


# --- Reads for the pages ---------------------------------------------------------------------------


def signed_off_report_for(*, case: Case, report_id: int) -> FormulationReport:
    """The case's signed-off report with this id, or 404 (drafts have no PDFs)."""
    report = (
        FormulationReport.objects.filter(case=case, pk=report_id, status=ReportStatus.SIGNED_OFF)
        .select_related("signed_off_by")
        .first()
    )
    if report is None:
        raise Http404("No such signed-off report")
    return report


def kinds_visible_to(user: Any, case: Case) -> list[str]:
    """The kinds of PDF this person may download on this case (the summary only, for the network)."""
    return [kind for kind in KIND_ORDER if access.may(user, KIND_ACTIONS[kind], case)]


def report_documents_for(*, user: Any, report: FormulationReport) -> list[ReportDocument]:
    """The report's PDFs this person may download, full report first."""
    kinds = kinds_visible_to(user, report.case)
    documents = {document.kind: document for document in ReportDocument.objects.filter(report=report, kind__in=kinds)}
    return [documents[kind] for kind in KIND_ORDER if kind in documents]


def report_document_rows(*, user: Any, report: FormulationReport) -> list[DocumentProgress]:
    """The progress blocks of the report's PDFs this person may download."""
    may_retry = access.may(user, "view", report.case)
    return [
        report_document_progress(document, may_retry=may_retry)
        for document in report_documents_for(user=user, report=report)
    ]


def report_document_for(*, report: FormulationReport, kind: str) -> ReportDocument:
    if kind not in KIND_ACTIONS:
        raise Http404("No such document")
    document = ReportDocument.objects.filter(report=report, kind=kind).first()
    if document is None:
        raise Http404("No such document")
    return document


def report_document_progress(document: ReportDocument, *, may_retry: bool) -> DocumentProgress:
    """One PDF as the progress block shows it ("Check again" and "Try again" lead to the documents page)."""
    report = document.report
    args = [report.case_id, report.pk, document.kind]
    ready = document.status == DocumentStatus.READY
    stale = is_stale(document)
    download_label = ""
    if ready:
        size = human_size(document.file.size) if document.file else ""
        pages = f"{document.pages} page{'s' if document.pages != 1 else ''}"
        download_label = f"Download the {DocumentKind(document.kind).label.lower()} (PDF, {pages}, {size})"
    return DocumentProgress(
        key=f"report-{report.pk}-{document.kind}",
        title=DocumentKind(document.kind).label,
        description=KIND_DESCRIPTIONS[document.kind],
        status=document.status,
        status_label=DocumentStatus(document.status).label,
        status_url=reverse("formulation:report_document_status", args=args),
        download_url=reverse("formulation:report_document_download", args=args) if ready else "",
        download_label=download_label,
        check_again_url=reverse("formulation:report_documents", args=[report.case_id, report.pk]),
        error=document.error if document.status == DocumentState.FAILED else "",
        retry_url=reverse("formulation:report_document_retry", args=args)
        if may_retry and (document.status == DocumentStatus.FAILED or stale)
        else "",
        retry_label="Start again" if stale else "Try again",
        stale=stale,
        late=is_late(document),
    )
