"""The case's Documents pages: the list, one document with its versions, upload, a new version, the download.

Every view gets the case through the access module first (404 for a case the person may not see, 403 for what
they see but may not do) and the documents through `cases.access.document_condition` (a partner sees only the
documents shared with the network: any other answers 404). Opening a document and downloading a version each
write an access event naming it. Files are streamed by `version_download` only, after those checks, as an
attachment with a safe name and `X-Content-Type-Options: nosniff`; a version waiting for its virus check, or
infected, is not found.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import access_event_record
from accounts.models import AccessAction
from case_documents import services
from case_documents.forms import CategoryFilterForm, DocumentReplaceForm, DocumentUploadForm
from case_documents.models import CaseDocument, DocumentVersion, ScanStatus
from cases import access
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.models import Case
from cases.services import CLOSED_MESSAGE
from core.http import SignedInRequest, is_post
from core.pagination import paginate

RECORD_TYPE = "case_document"
DOCUMENTS_PER_PAGE = 25


def documents_for(user: object, case: Case) -> QuerySet[CaseDocument]:
    """The case's documents this person may see, newest first, with their versions."""
    return (
        CaseDocument.objects.filter(case=case)
        .filter(access.document_condition(user, case))
        .select_related("uploaded_by")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by")))
    )


def _document(request: SignedInRequest, case: Case, document_id: int) -> CaseDocument:
    return get_object_or_404(documents_for(request.user, case), pk=document_id)


def _log(request: SignedInRequest, action: str, document: CaseDocument, description: str) -> None:
    access_event_record(
        user=request.user,
        action=action,
        record_type=RECORD_TYPE,
        record_id=document.pk,
        case_id=document.case_id,
        description=description,
    )


@login_required
@require_GET
def document_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The documents this person may see, newest first, filtered by kind."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    caps = case_capabilities(request.user, case)
    documents = documents_for(request.user, case)
    filters = CategoryFilterForm(request.GET)
    category = filters.cleaned_data["category"] if filters.is_valid() else ""
    shown = documents.filter(category=category) if category else documents
    context = {
        "case": case,
        "caps": caps,
        "may_upload": caps.change and caps.is_open,
        "filters": filters,
        "category": category,
        "any_documents": bool(category) or documents.exists(),
        **paginate(request, shown, DOCUMENTS_PER_PAGE),
    }
    return render(request, "case_documents/document_list.html", context)


@login_required
@require_GET
def document_detail(request: SignedInRequest, case_id: int, document_id: int) -> HttpResponse:
    """One document: its details and every version, each downloadable once its virus check is clean."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY, log=False)
    document = _document(request, case, document_id)
    _log(request, AccessAction.VIEW, document, f"Document {document.pk} ({document.get_category_display()})")
    caps = case_capabilities(request.user, case)
    versions = sorted(document.versions.all(), key=lambda version: -version.number)
    context = {
        "case": case,
        "caps": caps,
        "document": document,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "may_replace": caps.change and caps.is_open,
    }
    return render(request, "case_documents/document_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case team adds a document; it is held until the virus check finds it clean."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    if not case.is_open:
        messages.info(request, CLOSED_MESSAGE)
        return redirect("case_documents:list", case.pk)
    form = DocumentUploadForm(request.POST if is_post(request) else None, request.FILES if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            document = services.document_upload(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Document uploaded. It is waiting for a virus check.")
            return redirect("case_documents:detail", case.pk, document.pk)
    return render(request, "case_documents/document_form.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def document_replace(request: SignedInRequest, case_id: int, document_id: int) -> HttpResponse:
    """Upload a new version of a document; the earlier versions are kept."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    document = _document(request, case, document_id)
    if not case.is_open:
        messages.info(request, CLOSED_MESSAGE)
        return redirect("case_documents:detail", case.pk, document.pk)
    form = DocumentReplaceForm(request.POST if is_post(request) else None, request.FILES if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            version = services.document_replace(document=document, actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Version {version.number} uploaded. It is waiting for a virus check.")
            return redirect("case_documents:detail", case.pk, document.pk)
    return render(request, "case_documents/document_replace.html", {"case": case, "document": document, "form": form})


def download_filename(document: CaseDocument, version: DocumentVersion) -> str:
    """A safe name: the case number, the kind, the original name made plain (letters, digits, hyphens), the
    version, and the extension of the type found in the content."""
    stem = slugify(version.original_name.rsplit(".", 1)[0])[:60] or "document"
    return f"ecm-case-{document.case_id}-{document.category}-{stem}-v{version.number}.{version.extension}"


@login_required
@require_GET
def version_download(request: SignedInRequest, case_id: int, document_id: int, version_id: int) -> FileResponse:
    """Stream one clean version after the access checks; the download is in the access log."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY, log=False)
    document = _document(request, case, document_id)
    version = next((v for v in document.versions.all() if v.pk == version_id), None)
    if version is None or version.scan_status != ScanStatus.CLEAN or not version.file:
        raise Http404("No such file, or it is waiting for its virus check")
    try:
        stream = version.file.open("rb")
    except OSError as error:
        raise Http404("The file is missing") from error
    _log(
        request,
        AccessAction.DOWNLOAD,
        document,
        f"Version {version.number} of document {document.pk} ({document.get_category_display()})",
    )
    response = FileResponse(
        stream, as_attachment=True, filename=download_filename(document, version), content_type=version.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
