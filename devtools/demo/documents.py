"""Demo documents on Kai Brennan's case (invented): a court report kept to the case team, and an education
plan shared with the network (so the teacher sees it), each checked by the built-in scanner at once."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from case_documents.services import document_replace, document_upload, version_scan
from cases.models import Case


def _pdf(text: str) -> bytes:
    """A small valid one-page PDF saying `text` (invented content)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def demo_documents(case: Case, *, holder: User) -> None:
    today = timezone.localdate()
    court = document_upload(
        case=case,
        actor=holder,
        file=SimpleUploadedFile("pre-sentence-report.pdf", _pdf("Pre-sentence report (invented for the demo)")),
        category="court",
        document_date=today - dt.timedelta(days=40),
        description="Pre-sentence report, Bristol Youth Court",
        shared_with_network=False,
    )
    plan = document_upload(
        case=case,
        actor=holder,
        file=SimpleUploadedFile("support-plan.pdf", _pdf("Fernbrook Academy support plan, version 1 (invented)")),
        category="education",
        document_date=today - dt.timedelta(days=20),
        description="Fernbrook Academy support plan",
        shared_with_network=True,
    )
    document_replace(
        document=plan,
        actor=holder,
        file=SimpleUploadedFile("support-plan-v2.pdf", _pdf("Fernbrook Academy support plan, version 2 (invented)")),
    )
    for document in (court, plan):
        for version in document.versions.all():
            version_scan(version.pk)
