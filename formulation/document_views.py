"""The PDFs of a signed-off formulation report: the documents page, the job's status, download, try again.

Every view gets the case through the access module: the full report and the child-friendly summary
need "view" (case managers and covering clinicians), the summary for the network "view_summary"
(the network's partners whose membership shares the summary, too). A report that is not signed
off has no PDFs (404). Every download writes an access event (AccessAction.DOWNLOAD) naming the
document. The status JSON is polled every 2 seconds, so it fetches the case without logging a
view each time (it shows no content); refusals are logged as always.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from cases.pdf import document_download_response, document_status_response
from cases.views.common import SignedInRequest
from formulation import documents
from formulation.models import DocumentKind, DocumentStatus

RECORD_TYPE = "formulation_report_document"


def _action_for(kind: str) -> str:
    if kind not in documents.KIND_ACTIONS:
        raise Http404("No such document")
    return documents.KIND_ACTIONS[kind]


@login_required
@require_GET
def report_documents(request: SignedInRequest, case_id: int, report_id: int) -> HttpResponse:
    """The PDFs of a signed-off report this person may download, with the job's progress."""
    case = access.get_case_for(request.user, case_id, "view_summary")
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    context = {
        "case": case,
        "report": report,
        "full_record": access.may(request.user, "view", case),
    }
    return render(request, "formulation/report_documents.html", context)


@login_required
@require_GET
def report_document_status(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> JsonResponse:
    """Where the PDF's job is, as JSON for static/ecm/document_progress.js."""
    case = access.get_case_for(request.user, case_id, _action_for(kind), log=False)
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    document = documents.report_document_for(report=report, kind=kind)
    progress = documents.report_document_progress(document, may_retry=access.may(request.user, "view", case))
    return document_status_response(request, progress)


@login_required
@require_GET
def report_document_download(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> FileResponse:
    """The stored PDF. Named by case number, version and kind; the download is in the access log."""
    case = access.get_case_for(request.user, case_id, _action_for(kind), log=False)
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    document = documents.report_document_for(report=report, kind=kind)
    if (
        document.status != DocumentStatus.READY
        or not document.file
        or not document.file.storage.exists(document.file.name)
    ):
        raise Http404("This PDF is not ready")
    access_event_record(
        user=request.user,
        action=AccessAction.DOWNLOAD,
        record_type=RECORD_TYPE,
        record_id=document.pk,
        case_id=case.pk,
        description=f"{DocumentKind(kind).label} of formulation report version {report.version} (PDF)",
    )
    return document_download_response(file=document.file, filename=documents.report_document_filename(document))


@login_required
@require_POST
def report_document_retry(request: SignedInRequest, case_id: int, report_id: int, kind: str) -> HttpResponse:
    """Make a failed PDF again (the case team: "view"), then back to the documents page."""
    _action_for(kind)
    case = access.get_case_for(request.user, case_id, "view")
    report = documents.signed_off_report_for(case=case, report_id=report_id)
    document = documents.report_document_for(report=report, kind=kind)
    try:
        documents.report_document_retry(document=document, actor=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, f"The {DocumentKind(kind).label.lower()} is being made again")
    return redirect("formulation:report_documents", case.pk, report.pk)
