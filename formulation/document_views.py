"""The PDFs of a signed-off formulation report: the documents page, the job's status, download, try again.

Every view gets the case through the access module: the full report and the child-friendly summary
need "view" (case managers and covering clinicians), the summary for the network "view_summary"
(the network's partners whose membership shares the summary, too). A report that is not signed
off has no PDFs (404). Every download writes an access event (AccessAction.DOWNLOAD) naming the
document. The status JSON is polled every 2 seconds, so it fetches the case without logging a
view each time (it shows no content); refusals are logged as always. The rest is the document
pipeline's shared views (core/documents/views.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from cases.access import Action
from cases.models import Case
from core.documents.views import document_download_response, document_retry_response, document_status_response
from core.http import SignedInRequest
from formulation import documents
from formulation.models import DocumentKind, FormulationReport, ReportDocument

RECORD_TYPE = "formulation_report_document"


def _report_document(
    request: SignedInRequest, case_id: int, report_id: int, kind: str, *, action: Action | None = None, log: bool
) -> tuple[Case, FormulationReport, ReportDocument]:
    """The case, its signed-off report and the report's PDF of this kind, through the access module (the kind's
    action by default)."""
    if kind not in documents.KIND_ACTIONS:
        raise Http404("No such document")
    case = access.get_case_for(request.user, case_id, action or documents.KIND_ACTIONS[kind], log=log)
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    return case, report, documents.report_document_for(report=report, kind=kind)


@login_required
@require_GET
def report_documents(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The PDFs of a signed-off report this person may download, with the job's progress."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    context = {
        "case": case,
        "report": report,
        "full_record": access.may(request.user, Action.VIEW, case),
    }
    return render(request, "formulation/report_documents.html", context)


@login_required
@require_GET
def report_document_status(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> JsonResponse:
    """Where the PDF's job is, as JSON for static/ecm/document_progress.js."""
    case, _, document = _report_document(request, case_id, report_id, kind, log=False)
    progress = documents.report_document_progress(document, may_retry=access.may(request.user, Action.VIEW, case))
    return document_status_response(request, progress)


@login_required
@require_GET
def report_document_download(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> FileResponse:
    """The stored PDF. Named by case number, version and kind; the download is in the access log."""
    case, report, document = _report_document(request, case_id, report_id, kind, log=False)
    return document_download_response(
        request,
        documents.REPORT_DOCUMENT,
        document,
        log_download=lambda: access_event_record(
            user=request.user,
            action=AccessAction.DOWNLOAD,
            record_type=RECORD_TYPE,
            record_id=document.pk,
            case_id=case.pk,
            description=f"{DocumentKind(kind).label} of formulation report version {report.version} (PDF)",
        ),
    )


@login_required
@require_POST
def report_document_retry(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> HttpResponse:
    """Make a failed PDF again (the case team: "view"), then back to the documents page."""
    case, report, document = _report_document(request, case_id, report_id, kind, action=Action.VIEW, log=True)
    return document_retry_response(
        request,
        lambda: documents.report_document_retry(document=document, actor=request.user),
        made_again=f"The {DocumentKind(kind).label.lower()} is being made again",
        back_to=reverse("formulation:report_documents", args=[case.pk, report.pk]),
    )
