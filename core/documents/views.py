"""The shared halves of every document's views: the status JSON, the download, "Try again".

An app's view gets the document through the access module first (404 for what the person may not
see, 403 for what they may see but not do) and then answers with one of these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

from core.documents.models import DocumentState, RenderedDocument
from core.documents.progress import DocumentProgress
from core.documents.registry import document_kind


def document_status_response(request: HttpRequest, progress: DocumentProgress) -> JsonResponse:
    """The JSON the progress script polls: the state, and the block's new markup to put in place."""
    html = render_to_string("includes/document_progress_body.html", {"progress": progress}, request=request)
    body = {**asdict(progress), "finished": progress.finished, "html": html}
    return JsonResponse(body)


def document_download_response(
    request: HttpRequest, kind: str, document: RenderedDocument, *, log_download: Callable[[], object]
) -> FileResponse:
    """The stored PDF as an attachment named by the kind (the case and kind, never the child); 404 until it is
    ready. `log_download` writes the access event (AccessAction.DOWNLOAD) just before the file is sent."""
    spec = document_kind(kind)
    if not spec.may_download(request.user, document):
        raise PermissionDenied("You may not download this document.")
    if (
        document.status != DocumentState.READY
        or not document.file
        or not document.file.storage.exists(document.file.name)
    ):
        raise Http404("This PDF is not ready")
    log_download()
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=spec.filename(document), content_type="application/pdf"
    )


def document_retry_response(
    request: HttpRequest, retry: Callable[[], object], *, made_again: str, back_to: str
) -> HttpResponseRedirect:
    """Try a failed document again (`retry`, the app's service), say so, and go back to its page."""
    try:
        retry()
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, made_again)
    return redirect(back_to)
