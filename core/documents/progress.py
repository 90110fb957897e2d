"""A document on the page: its job's progress as templates/includes/document_progress.html shows it.

Pages show each document with ``{% include "includes/document_progress.html" with progress=... %}``;
static/ecm/document_progress.js polls the status URL every 2 s and puts the download link, or the
error and a "Try again" button, in place; without JavaScript the "Check again" link reloads the page
(a refresh meta would break the Content-Security-Policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.documents.lifecycle import is_late, is_stale
from core.documents.models import DocumentState, RenderedDocument


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
    stale: bool = False  # lost with its message or worker: "Start again" is offered (lifecycle.is_stale)
    late: bool = False  # "taking longer than usual — we are retrying" (lifecycle.is_late)

    @property
    def ready(self) -> bool:
        return self.status == DocumentState.READY

    @property
    def failed(self) -> bool:
        return self.status == DocumentState.FAILED

    @property
    def queued(self) -> bool:
        return self.status == DocumentState.QUEUED

    @property
    def finished(self) -> bool:
        return self.ready or self.failed

    @property
    def tag_colour(self) -> str:
        return {
            DocumentState.QUEUED: "govuk-tag--grey",
            DocumentState.RENDERING: "govuk-tag--blue",
            DocumentState.READY: "govuk-tag--green",
            DocumentState.FAILED: "govuk-tag--red",
        }.get(DocumentState(self.status), "")


@dataclass(frozen=True)
class DocumentLinks:
    """A document's URLs (the app reverses its own): the status JSON, the download, the page, "Try again"."""

    status: str
    download: str
    check_again: str
    retry: str


def document_progress(
    document: RenderedDocument,
    *,
    key: str,
    title: str,
    description: str,
    noun: str,
    links: DocumentLinks,
    may_retry: bool,
) -> DocumentProgress:
    """The progress block of one document: "Download the <noun> (PDF, 3 pages, 45 KB)" once ready,
    the error and "Try again" (for those who `may_retry`) once failed, "Start again" once lost."""
    ready = document.status == DocumentState.READY
    failed = document.status == DocumentState.FAILED
    stale = is_stale(document)
    download_label = ""
    if ready:
        size = human_size(document.file.size) if document.file else ""
        pages = f"{document.pages} page{'s' if document.pages != 1 else ''}"
        download_label = f"Download the {noun} (PDF, {pages}, {size})"
    return DocumentProgress(
        key=key,
        title=title,
        description=description,
        status=document.status,
        status_label=DocumentState(document.status).label,
        status_url=links.status,
        download_url=links.download if ready else "",
        download_label=download_label,
        check_again_url=links.check_again,
        error=document.error if failed else "",
        retry_url=links.retry if may_retry and (failed or stale) else "",
        retry_label="Start again" if stale else "Try again",
        stale=stale,
        late=is_late(document),
    )


def human_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
