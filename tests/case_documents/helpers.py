"""Small files of each kind, made here (invented content), and a quick way to add a document in a test."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from case_documents.models import CaseDocument
from case_documents.scanning import EICAR
from case_documents.services import document_upload, version_scan
from cases.models import Case

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOC = OLE2 + b"\x00" * 504 + "Root Entry".encode("utf-16-le") + b"\x00" * 50 + "WordDocument".encode("utf-16-le")
XLS = OLE2 + b"\x00" * 504 + "Root Entry".encode("utf-16-le") + b"\x00" * 50 + "Workbook".encode("utf-16-le")
EICAR_PDF = PDF + EICAR + b"\n"


def zip_of(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


DOCX = zip_of(["[Content_Types].xml", "word/document.xml"])
DOCM = zip_of(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])
PLAIN_ZIP = zip_of(["notes.txt"])


def upload_file(content: bytes = PDF, name: str = "report.pdf", content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_document(
    case: Case,
    actor: Any,
    *,
    content: bytes = PDF,
    name: str = "report.pdf",
    category: str = "court",
    shared: bool = False,
    description: str = "Pre-sentence report",
    scan: bool = True,
) -> CaseDocument:
    document = document_upload(
        case=case,
        actor=actor,
        file=upload_file(content, name),
        category=category,
        document_date=timezone.localdate() - dt.timedelta(days=3),
        description=description,
        shared_with_network=shared,
    )
    if scan:
        for version in document.versions.all():
            version_scan(version.pk)
    return document
