"""Authorization rows for the PDFs of a signed-off formulation report (formulation/document_views.py).

The case team (owning YJS and covering clinicians) reads the documents page and downloads every PDF;
the teacher in Kai's network, who sees the shared summary, reads the page and downloads the summary
only (the full report used here answers 403); everyone else 404. Trying again is a POST for the case
team. `POST_ROWS` repeats the triad for the POST; tests/formulation/test_document_post_access.py runs them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.history import acting_as
from core.documents.models import DocumentState
from formulation.models import DocumentKind, FormulationReport, ReportDocument, ReportStatus
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row
from tests.conftest import Cast
from tests.factories import signed_off_report

Expected = dict[str, int | tuple[int, ...]]

# A few bytes standing in for a PDF, kept once in the test storage for every download row.
SAMPLE_FILE = "formulation/reports/authz-matrix-sample.pdf"

READERS_AND_NETWORK: Expected = {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}
FULL_REPORT_READERS: Expected = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
RETRIERS: Expected = {
    ANON: 302,
    **{who: 302 for who in FULL_RECORD},  # back to the documents page (with a message if nothing failed)
    "teacher": 403,
    **INVISIBLE,
}


def _report(cast: Cast) -> FormulationReport:
    """Kai's signed-off report, its full report and summary ready and the child's PDF failed."""
    report = FormulationReport.objects.filter(case=cast.case, status=ReportStatus.SIGNED_OFF).first()
    if report is not None:
        return report
    now = timezone.now()
    report = signed_off_report(
        cast,
        signed_off_at=now,
        strengths="A gifted goalkeeper.",
        child_friendly_summary="We met to think about how to help you.",
    )
    with acting_as(cast.psychologist):
        if not default_storage.exists(SAMPLE_FILE):
            default_storage.save(SAMPLE_FILE, ContentFile(b"%PDF-1.7 sample"))
        for kind in (DocumentKind.FULL, DocumentKind.SUMMARY):
            ReportDocument.objects.create(
                report=report, kind=kind, status=DocumentState.READY, file=SAMPLE_FILE, pages=1, finished_at=now
            )
        ReportDocument.objects.create(
            report=report, kind=DocumentKind.CHILD, status=DocumentState.FAILED, error="It broke", finished_at=now
        )
    return report


def documents_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/formulation/{_report(cast).pk}/documents/{suffix}"


ROWS: dict[str, Row] = {
    "formulation:report_documents": Row(documents_path(), READERS_AND_NETWORK),
    "formulation:report_document_status": Row(documents_path("full/status/"), FULL_REPORT_READERS),
    "formulation:report_document_download": Row(documents_path("full/download/"), FULL_REPORT_READERS),
    # POST only: makes a failed PDF again and goes back to the documents page.
    "formulation:report_document_retry": Row(documents_path("child/retry/"), RETRIERS, method="post"),
}

POST_ROWS: dict[str, Row] = {
    "formulation:report_document_retry": ROWS["formulation:report_document_retry"],
    # The summary is the teacher's to download, not to make again.
    "formulation:report_document_retry (summary)": Row(documents_path("summary/retry/"), RETRIERS, method="post"),
}
