"""Authorization rows for the reporting app's URLs (see tests/authz/core.py for the Row type and the cast).

Aggregate reports are for case managers (their own service), ECM clinicians (the services they
cover) and commissioners (the services they commission); partners and administrators get 403.
No report page is about one case. A summary PDF is its requester's alone: the commissioner's
answers 404 to every other reader. `POST_ROWS` repeats the rows of the two forms' POSTs with an
empty body; tests/reporting/test_post_access.py runs them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core.documents.models import DocumentState
from reporting.models import SummaryDocument
from tests.authz.core import ANON, Row
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

SAMPLE_FILE = "reporting/summaries/authz-matrix-sample.pdf"
NOT_READERS: Expected = {"teacher": 403, "social_worker": 403, "administrator": 403}
REPORT_READERS: Expected = {
    ANON: 302,
    "case_manager": 200,
    "colleague": 200,
    "banes_case_manager": 200,
    "psychologist": 200,
    "senior_practitioner": 200,
    "commissioner": 200,
    **NOT_READERS,
}
# Asking for a summary goes back to the reports page.
SUMMARY_ASKERS: Expected = {**{who: 302 for who in REPORT_READERS if who not in NOT_READERS}, **NOT_READERS}
OTHER_READERS_404: Expected = {
    who: 404 for who in ("case_manager", "colleague", "banes_case_manager", "psychologist", "senior_practitioner")
}
OWN_SUMMARY: Expected = {ANON: 302, "commissioner": 200, **OTHER_READERS_404, **NOT_READERS}
OWN_SUMMARY_RETRY: Expected = {ANON: 302, "commissioner": 302, **OTHER_READERS_404, **NOT_READERS}


def _summary(cast: Cast) -> SummaryDocument:
    """The commissioner's summary of this year so far, ready, with a few bytes standing in for the PDF."""
    document = SummaryDocument.objects.filter(requested_by=cast.commissioner).first()
    if document is not None:
        return document
    if not default_storage.exists(SAMPLE_FILE):
        default_storage.save(SAMPLE_FILE, ContentFile(b"%PDF-1.7 sample"))
    today = timezone.localdate()
    return SummaryDocument.objects.create(
        requested_by=cast.commissioner,
        start=today.replace(month=1, day=1),
        end=today,
        status=DocumentState.READY,
        file=SAMPLE_FILE,
        pages=1,
        finished_at=timezone.now(),
    )


def summary_path(suffix: str) -> Callable[[Cast], str]:
    return lambda cast: f"/reports/summaries/{_summary(cast).pk}/{suffix}"


ROWS: dict[str, Row] = {
    "reporting:dashboard": Row(lambda cast: "/reports/", REPORT_READERS),
    "reporting:figures_csv": Row(lambda cast: "/reports/figures.csv", REPORT_READERS),
    "reporting:figures_as_shown_csv": Row(lambda cast: "/reports/figures-as-shown.csv", REPORT_READERS),
    "reporting:summary_request": Row(lambda cast: "/reports/summaries/", SUMMARY_ASKERS, method="post"),
    "reporting:summary_status": Row(summary_path("status/"), OWN_SUMMARY),
    "reporting:summary_download": Row(summary_path("download/"), OWN_SUMMARY),
    "reporting:summary_retry": Row(summary_path("retry/"), OWN_SUMMARY_RETRY, method="post"),
}

POST_ROWS: dict[str, Row] = {name: ROWS[name] for name in ("reporting:summary_request", "reporting:summary_retry")}
