"""The subject access pack's section about the documents uploaded to the child's cases (data_rights/pack.py):
each document's details and every version's metadata (never the files' bytes: they are sent beside the pack,
as the person handling the request decides)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from case_documents.models import CaseDocument, DocumentVersion
from data_rights.pack_values import pack_day, pack_moment, pack_person


def uploaded_documents_section(case_ids: list[int]) -> list[dict[str, Any]]:
    documents = (
        CaseDocument.objects.filter(case_id__in=case_ids)
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("number"))
        )
        .order_by("uploaded_at", "pk")
    )
    return [
        {
            "id": document.pk,
            "case_id": document.case_id,
            "category": document.get_category_display(),
            "document_date": pack_day(document.document_date),
            "description": document.description,
            "shared_with_network": document.shared_with_network,
            "uploaded_by": pack_person(document.uploaded_by),
            "uploaded_at": pack_moment(document.uploaded_at),
            "versions": [
                {
                    "version": version.number,
                    "file_name": version.original_name,
                    "type": version.type_label(),
                    "bytes": version.size,
                    "sha256": version.sha256,
                    "virus_check": version.get_scan_status_display(),
                    "uploaded_by": pack_person(version.uploaded_by),
                    "uploaded_at": pack_moment(version.uploaded_at),
                }
                for version in document.versions.all()
            ],
        }
        for document in documents
    ]
