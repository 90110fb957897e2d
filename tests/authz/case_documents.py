"""Authorization rows for the documents uploaded to a case (case_documents/views.py), and the documents the
generated matrix's world holds on each of its cases.

The case team (owning YJS, covering clinicians) lists, opens and downloads every document and uploads; the
teacher in Kai's network, who sees the shared summary, lists and opens ONLY documents shared with the network
(the one kept to the case team used here answers 404) and uploads nothing (403); everyone else 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from case_documents.models import CaseDocument, DocumentVersion, ScanStatus, case_document_storage
from cases.models import Case
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

SAMPLE = b"%PDF-1.7 sample document"
SAMPLE_NAME = "case_documents/authz-matrix-sample.pdf"
SHARED, KEPT = "Support plan (shared with the network)", "Court report (the case team's only)"

READERS_AND_NETWORK: Expected = {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}
TEAM_ONLY: Expected = {ANON: 302, **FULL_RECORD, "teacher": 404, **INVISIBLE}  # the network never finds it
UPLOADERS: Expected = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}


def _version(document: CaseDocument, number: int, status: str) -> DocumentVersion:
    storage = case_document_storage()
    if not storage.exists(SAMPLE_NAME):
        storage.save(SAMPLE_NAME, ContentFile(SAMPLE))
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        file=SAMPLE_NAME,
        original_name="sample.pdf",
        content_type="application/pdf",
        extension="pdf",
        size=len(SAMPLE),
        sha256=hashlib.sha256(SAMPLE).hexdigest(),
        scan_status=status,
        uploaded_by=document.uploaded_by,
        sent_at=timezone.now(),
        scanned_at=timezone.now() if status == ScanStatus.CLEAN else None,
    )


def world_case_documents(case: Case, *, uploader: Any) -> None:
    """On `case`: a document shared with the network (version 1 clean, version 2 waiting for its virus
    check) and one kept to the case team (version 1 clean). Written directly: no scan job is sent."""
    if CaseDocument.objects.filter(case=case).exists():
        return
    today = timezone.localdate()
    shared = CaseDocument.objects.create(
        case=case,
        category="education",
        document_date=today,
        description=SHARED,
        shared_with_network=True,
        uploaded_by=uploader,
    )
    kept = CaseDocument.objects.create(
        case=case, category="court", document_date=today, description=KEPT, uploaded_by=uploader
    )
    _version(shared, 1, ScanStatus.CLEAN)
    _version(shared, 2, ScanStatus.PENDING)
    _version(kept, 1, ScanStatus.CLEAN)


def document_records(case: Case) -> dict[str, dict[str, int | str]]:
    """For the generated matrix: `document_id` → the shared and the kept document."""
    documents = {d.description: d.pk for d in CaseDocument.objects.filter(case=case)}
    return {"shared": {"document_id": documents[SHARED]}, "kept": {"document_id": documents[KEPT]}}


def version_records(case: Case) -> dict[str, dict[str, int | str]]:
    """For the generated matrix: `version_id` → the shared one's clean and held versions, the kept one's clean."""
    found: dict[str, dict[str, int | str]] = {}
    for version in DocumentVersion.objects.filter(document__case=case).select_related("document"):
        which = "kept" if version.document.description == KEPT else ("shared" if version.number == 1 else "held")
        found[which] = {"document_id": version.document_id, "version_id": version.pk}
    return found


def _documents(cast: Cast) -> dict[str, dict[str, int | str]]:
    world_case_documents(cast.case, uploader=cast.case_manager)
    return version_records(cast.case)


def document_path(which: str, suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/documents/{_documents(cast)[which]['document_id']}/{suffix}"


def download_path(which: str) -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        found = _documents(cast)[which]
        return f"/cases/{cast.case.pk}/documents/{found['document_id']}/versions/{found['version_id']}/download/"

    return path


ROWS: dict[str, Row] = {
    "case_documents:list": Row(lambda cast: f"/cases/{cast.case.pk}/documents/", READERS_AND_NETWORK),
    "case_documents:upload": Row(lambda cast: f"/cases/{cast.case.pk}/documents/upload/", UPLOADERS),
    "case_documents:detail": Row(document_path("kept"), TEAM_ONLY),
    "case_documents:replace": Row(document_path("shared", "new-version/"), UPLOADERS),
    "case_documents:download": Row(download_path("shared"), READERS_AND_NETWORK),
}
