"""Authorization rows for subject access requests (data_rights/): senior practitioners and service administrators
handle them, across every agency; everyone else is refused with 403 (the role layer: there is no record of
theirs to hide), the signed-out are sent to sign in. The POSTs go back to the request's page for handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cases.models import Case, CaseStatus
from core.documents.models import DocumentState
from data_rights.models import Requester, RetentionReview, SubjectAccessDocument, SubjectAccessRequest
from data_rights.services import subject_access_request_start
from tests.authz.core import ANON, Row
from tests.conftest import Cast
from tests.factories import make_case

Expected = dict[str, int | tuple[int, ...]]

SAMPLE_FILE = "data_rights/subject_access/authz-matrix-sample.pdf"

HANDLERS: Expected = {ANON: 302, "senior_practitioner": 200, "administrator": 200, "agency_administrator": 403}
HANDLERS_POST: Expected = {ANON: 302, "senior_practitioner": 302, "administrator": 302, "agency_administrator": 403}


def sar_of(cast: Cast) -> SubjectAccessRequest:
    """A request about Kai, its PDF pack ready (made once per test)."""
    existing = SubjectAccessRequest.objects.filter(child=cast.case.child).first()
    if existing is not None:
        return existing
    sar = subject_access_request_start(
        actor=cast.senior_practitioner,
        child=cast.case.child,
        reference="IG-2026-0042",
        requester=Requester.PARENT,
        requester_name="Maria Brennan",
        received_on=timezone.localdate() - dt.timedelta(days=3),
    )
    if not default_storage.exists(SAMPLE_FILE):
        default_storage.save(SAMPLE_FILE, ContentFile(b"%PDF-1.7 sample"))
    SubjectAccessDocument.objects.filter(request=sar).update(
        status=DocumentState.READY, file=SAMPLE_FILE, pages=1, finished_at=timezone.now()
    )
    return sar


def sar_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/data-rights/subject-access/{sar_of(cast).pk}/{suffix}"


ROWS: dict[str, Row] = {
    "data_rights:sar_list": Row(lambda cast: "/data-rights/subject-access/", HANDLERS, default=403),
    "data_rights:sar_find": Row(
        lambda cast: (
            "/data-rights/subject-access/new/?given_name=Kai&family_name=Brennan"
            "&date_of_birth_day=17&date_of_birth_month=5&date_of_birth_year=2010"
        ),
        HANDLERS,
        default=403,
    ),
    "data_rights:sar_start": Row(
        lambda cast: f"/data-rights/subject-access/new/{cast.case.child_id}/", HANDLERS, default=403
    ),
    "data_rights:sar_detail": Row(sar_path(), HANDLERS, default=403),
    "data_rights:sar_json": Row(sar_path("pack.json"), HANDLERS, default=403),
    "data_rights:sar_pdf_status": Row(sar_path("pdf/status/"), HANDLERS, default=403),
    "data_rights:sar_pdf_download": Row(sar_path("pdf/download/"), HANDLERS, default=403),
    # POST only: nothing failed, so it goes back to the request's page with a message.
    "data_rights:sar_pdf_retry": Row(sar_path("pdf/retry/"), HANDLERS_POST, method="post", default=403),
    "data_rights:sar_respond": Row(sar_path("respond/"), HANDLERS_POST, method="post", default=403),
}


# Retention reviews: the same two roles, their own permission (data_rights.handle_retention); everyone else 403.


def retention_review_of(cast: Cast) -> RetentionReview:
    """A review of a closed Bristol case due today (made once per test)."""
    existing = RetentionReview.objects.first()
    if existing is not None:
        return existing
    case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now() - dt.timedelta(days=2600))
    return RetentionReview.objects.create(case=case, due_on=timezone.localdate())


def retention_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/data-rights/retention/{retention_review_of(cast).pk}/{suffix}"


# An empty form shows its errors again (200). Anonymising's POST is tested in tests/data_rights/test_retention.py.
FORM_AGAIN: Expected = {ANON: 302, "senior_practitioner": 200, "administrator": 200, "agency_administrator": 403}

ROWS |= {
    "data_rights:retention_list": Row(lambda cast: "/data-rights/retention/", HANDLERS, default=403),
    "data_rights:retention_detail": Row(retention_path(), HANDLERS, default=403),
    "data_rights:retention_keep": Row(retention_path("keep/"), FORM_AGAIN, method="post", default=403),
    "data_rights:retention_hold": Row(retention_path("hold/"), FORM_AGAIN, method="post", default=403),
    "data_rights:retention_anonymise": Row(retention_path("anonymise/"), HANDLERS, default=403),
}
