"""The PDFs of a signed-off formulation report: asked for at sign-off, made by the document pipeline, downloaded.

Three kinds (DocumentKind): the FULL report for the case team, the SUMMARY for the network (the
TRM stage and chart, strengths, underlying needs, recommendations and the child-friendly summary;
never the child's story, the presenting behaviour or the five Ps) and the CHILD-friendly summary
printed on its own. Every page is headed with the child's initials and the case number only.

`report_documents_request` writes a row per kind ("queued") and sends each to the render job once
committed. The lifecycle, the job, the resend sweep and the progress block are core/documents/'s;
this module supplies what differs (`REPORT_DOCUMENT`, registered in formulation/apps.py): the
template and context of each kind, the file name and who may download it.
"""

from __future__ import annotations

import datetime as dt
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
from cases.access import Action
from cases.models import Case
from core.documents.progress import DocumentLinks, DocumentProgress, document_progress
from core.documents.registry import DocumentKindSpec
from core.documents.rendering import DocumentNotRenderable, RenderedPdf, render_pdf
from core.documents.services import document_retry, document_wanted, documents_send_on_commit
from formulation.child_document import child_pdf_context
from formulation.models import (
    REPORT_SECTIONS,
    DocumentKind,
    FormulationReport,
    Recommendation,
    ReportDocument,
    ReportStatus,
)
from trm_stages.models import Stage
from trm_stages.selectors import stage_journey

__all__ = ["DocumentNotRenderable"]  # raised by report_pdf_render

# What the render job is sent (core.documents.tasks.render_document).
REPORT_DOCUMENT = "formulation.report"


# Who may download each kind: the full record's readers, or everyone who sees the shared summary.
KIND_ACTIONS: dict[str, Action] = {
    DocumentKind.FULL: Action.VIEW,
    DocumentKind.SUMMARY: Action.VIEW_SUMMARY,
    DocumentKind.CHILD: Action.VIEW,
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
            if document_wanted(document):
                requested.append(document)
        documents_send_on_commit(REPORT_DOCUMENT, [document.pk for document in requested])
    return requested


def report_document_retry(*, document: ReportDocument, actor: User) -> ReportDocument:
    """Make a failed PDF again (or one whose job has waited far too long: its message may have been lost)."""
    return document_retry(REPORT_DOCUMENT, document, actor=actor, check=_of_a_signed_off_report)


def _of_a_signed_off_report(document: ReportDocument) -> None:
    if document.report.status != ReportStatus.SIGNED_OFF:
        raise ValidationError("Only a signed-off report is made into PDFs.")


def report_pdf_render(*, report: FormulationReport, kind: str, today: dt.date | None = None) -> RenderedPdf:
    """Render one kind of PDF of a signed-off report (the benchmark and the tests call this; the job renders
    through REPORT_DOCUMENT, with the same template and context)."""
    return render_pdf(template_name=KIND_TEMPLATES[kind], context=_renderable_context(report, kind, today=today))


def _renderable_context(report: FormulationReport, kind: str, *, today: dt.date | None = None) -> dict[str, Any]:
    if report.status != ReportStatus.SIGNED_OFF:
        raise DocumentNotRenderable("The report is not signed off.")
    if kind == DocumentKind.CHILD and not report.child_friendly_summary.strip():
        raise DocumentNotRenderable("The report has no child-friendly summary.")
    return report_pdf_context(report, kind, today=today)


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
        context.update(child_pdf_context(case, today=today))  # their goals, who helps, what happens next
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
    may_retry = access.may(user, Action.VIEW, report.case)
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
    label = DocumentKind(document.kind).label
    return document_progress(
        document,
        key=f"report-{report.pk}-{document.kind}",
        title=label,
        description=KIND_DESCRIPTIONS[document.kind],
        noun=label.lower(),
        links=DocumentLinks(
            status=reverse("formulation:report_document_status", args=args),
            download=reverse("formulation:report_document_download", args=args),
            check_again=reverse("formulation:report_documents", args=[report.case_id, report.pk]),
            retry=reverse("formulation:report_document_retry", args=args),
        ),
        may_retry=may_retry,
    )


# --- The kind the document pipeline makes (registered in formulation/apps.py) ----------------------


def _may_download(user: Any, document: ReportDocument) -> bool:
    return access.may(user, KIND_ACTIONS[document.kind], document.report.case)


REPORT_DOCUMENT_KIND: DocumentKindSpec[ReportDocument] = DocumentKindSpec(
    name=REPORT_DOCUMENT,
    model=ReportDocument,
    template=lambda document: KIND_TEMPLATES[document.kind],
    context=lambda document: _renderable_context(document.report, document.kind),
    filename=report_document_filename,
    may_download=_may_download,
    related=("report",),
)
