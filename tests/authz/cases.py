"""Authorization rows for the cases app's URLs (see tests/authz/core.py for the Row type and the cast).

`ROWS` holds one row per URL name for tests/test_authorization_matrix.py (GET unless the URL only
acts). `POST_ROWS` repeats the access triad for every form's POST, with an empty body so nothing
is saved; tests/cases/test_post_access.py runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cases.models import ChronologyDocument, Consultation, Contact, ContactKind, NetworkMember
from cases.services import consultation_log, contact_log, network_member_add
from core.documents.models import DocumentState
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

CLINICIANS_ONLY_CONSULT: Expected = {
    "case_manager": 403,
    "colleague": 403,
    "psychologist": 200,
    "senior_practitioner": 403,
    "teacher": 403,
}
FULL_RECORD_ONLY: Expected = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
SUMMARY_TOO: Expected = {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}
# Marking a significant event with an empty body: 400 (nothing chosen) for those who may change the case.
MARKERS_EMPTY_POST: Expected = {ANON: 302, **dict.fromkeys(FULL_RECORD, 400), "teacher": 403, **INVISIBLE}
# A chronology PDF is its requester's (the case manager's here): everyone else who sees the case gets 404.
OTHERS_SEEING_THE_CASE_404: Expected = {
    "colleague": 404,
    "psychologist": 404,
    "senior_practitioner": 404,
    "teacher": 404,
}
OWN_CHRONOLOGY_PDF: Expected = {ANON: 302, "case_manager": 200, **OTHERS_SEEING_THE_CASE_404, **INVISIBLE}
OWN_CHRONOLOGY_PDF_RETRY: Expected = {ANON: 302, "case_manager": 302, **OTHERS_SEEING_THE_CASE_404, **INVISIBLE}
SAMPLE_CHRONOLOGY_PDF = "cases/chronologies/authz-matrix-sample.pdf"


def _member(cast: Cast) -> NetworkMember:
    """A current network member of the cast's case (made again if a POST row removed the last one)."""
    member = NetworkMember.objects.filter(case=cast.case, name="Dr Imogen Vale", removed_at__isnull=True).first()
    return member or network_member_add(
        case=cast.case, actor=cast.case_manager, name="Dr Imogen Vale", role="Paediatrician", agency_name="Avon GP"
    )


def _contact(cast: Cast) -> Contact:
    contact = Contact.objects.filter(case=cast.case, with_whom="Kai and his mother").first()
    return contact or contact_log(
        case=cast.case,
        actor=cast.case_manager,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        kind=ContactKind.HOME_VISIT,
        with_whom="Kai and his mother",
        note="Kai showed me his new bike.",
    )


def _consultation(cast: Cast) -> Consultation:
    consultation = Consultation.objects.filter(case=cast.case).first()
    return consultation or consultation_log(
        case=cast.case,
        actor=cast.psychologist,
        held_on=timezone.localdate(),
        attendees="Sam Okafor (case manager)",
        question="How do we keep Kai engaged?",
        advice="Keep appointments at the same time each week.",
        minutes_spent=45,
    )


def _chronology_pdf(cast: Cast) -> ChronologyDocument:
    """The case manager's PDF of the case's chronology, ready, with a few bytes standing in for the PDF."""
    document = ChronologyDocument.objects.filter(case=cast.case, requested_by=cast.case_manager).first()
    if document is not None:
        return document
    if not default_storage.exists(SAMPLE_CHRONOLOGY_PDF):
        default_storage.save(SAMPLE_CHRONOLOGY_PDF, ContentFile(b"%PDF-1.7 sample"))
    return ChronologyDocument.objects.create(
        case=cast.case,
        requested_by=cast.case_manager,
        status=DocumentState.READY,
        file=SAMPLE_CHRONOLOGY_PDF,
        pages=1,
        finished_at=timezone.now(),
    )


def chronology_pdf_path(suffix: str) -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/chronology/pdf/{_chronology_pdf(cast).pk}/{suffix}"


def member_path(suffix: str) -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/network/{_member(cast).pk}/{suffix}"


def contact_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/contacts/{_contact(cast).pk}/{suffix}"


def consultation_path(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/consultations/{_consultation(cast).pk}/"


ROWS: dict[str, Row] = {
    "cases:list": Row(lambda cast: "/cases/", {ANON: 302}, default=200),
    "cases:search": Row(lambda cast: "/cases/search/?q=Kai", {ANON: 302}, default=200),
    "cases:detail": Row(case_path("/cases/{case}/"), SUMMARY_TOO),
    # The overview's sub-pages: the full record's, except the network, which is on the shared summary too.
    "cases:details": Row(case_path("/cases/{case}/details/"), FULL_RECORD_ONLY),
    "cases:network": Row(case_path("/cases/{case}/network/"), SUMMARY_TOO),
    "cases:plan": Row(case_path("/cases/{case}/plan/"), FULL_RECORD_ONLY),
    "cases:trm": Row(case_path("/cases/{case}/trm/"), FULL_RECORD_ONLY),
    "cases:meetings": Row(case_path("/cases/{case}/meetings-and-reviews/"), FULL_RECORD_ONLY),
    "cases:case_access_log": Row(case_path("/cases/{case}/access-log/"), FULL_RECORD_ONLY),
    "cases:access_log": Row(lambda cast: "/cases/access-log/", {ANON: 302, "administrator": 200}, default=403),
    "cases:child_change": Row(case_path("/cases/{case}/child/"), FULL_RECORD_ONLY),
    "cases:child_correct": Row(case_path("/cases/{case}/child/correct/"), FULL_RECORD_ONLY),
    "cases:rectifications": Row(case_path("/cases/{case}/child/corrections/"), FULL_RECORD_ONLY),
    "cases:holder_change": Row(case_path("/cases/{case}/case-holder/"), FULL_RECORD_ONLY),
    "cases:close": Row(case_path("/cases/{case}/close/"), FULL_RECORD_ONLY),
    "cases:reopen": Row(case_path("/cases/{case}/reopen/"), FULL_RECORD_ONLY),
    "cases:contact_frequency": Row(case_path("/cases/{case}/contact-frequency/"), FULL_RECORD_ONLY),
    "cases:network_add": Row(case_path("/cases/{case}/network/add/"), FULL_RECORD_ONLY),
    "cases:network_sharing": Row(member_path("sharing/"), FULL_RECORD_ONLY),
    "cases:network_remove": Row(member_path("remove/"), FULL_RECORD_ONLY),
    "cases:contacts": Row(case_path("/cases/{case}/contacts/"), FULL_RECORD_ONLY),
    "cases:contact_add": Row(case_path("/cases/{case}/contacts/add/"), FULL_RECORD_ONLY),
    "cases:contact_detail": Row(contact_path(), FULL_RECORD_ONLY),
    "cases:contact_correct": Row(contact_path("correct/"), FULL_RECORD_ONLY),
    "cases:consultations": Row(case_path("/cases/{case}/consultations/"), FULL_RECORD_ONLY),
    "cases:consultation_add": Row(
        case_path("/cases/{case}/consultations/add/"), {ANON: 302, **CLINICIANS_ONLY_CONSULT, **INVISIBLE}
    ),
    "cases:consultation_detail": Row(consultation_path, FULL_RECORD_ONLY),
    "cases:chronology": Row(case_path("/cases/{case}/chronology/"), SUMMARY_TOO),
    "cases:chronology_significant": Row(
        case_path("/cases/{case}/chronology/significant/"), MARKERS_EMPTY_POST, method="post"
    ),
    "cases:contact_significant": Row(contact_path("significant/"), MARKERS_EMPTY_POST, method="post"),
    # Asking for a PDF of the chronology goes back to the chronology: everyone who reads it may.
    "cases:chronology_pdf": Row(
        case_path("/cases/{case}/chronology/pdf/"),
        {ANON: 302, **dict.fromkeys(SUMMARY_TOO, 302), **INVISIBLE},
        method="post",
    ),
    "cases:chronology_pdf_status": Row(chronology_pdf_path("status/"), OWN_CHRONOLOGY_PDF),
    "cases:chronology_pdf_download": Row(chronology_pdf_path("download/"), OWN_CHRONOLOGY_PDF),
    "cases:chronology_pdf_retry": Row(chronology_pdf_path("retry/"), OWN_CHRONOLOGY_PDF_RETRY, method="post"),
    # Signed out, the API answers 401 with a bearer challenge (core/api/authentication.py).
    "api-case-list": Row(lambda cast: "/api/v1/cases/", {ANON: 401}, default=200),
    "api-case-detail": Row(case_path("/api/v1/cases/{case}/"), {ANON: 401, **FULL_RECORD, "teacher": 200, **INVISIBLE}),
}

# Every form's POST, with an empty body: allowed people get the form back with its errors (200),
# or for removal the redirect (302); the network's partner gets 403; other agencies 404.
REMOVED: Expected = {"case_manager": 302, "colleague": 302, "psychologist": 302, "senior_practitioner": 302}
POST_ROWS: dict[str, Row] = {
    name: Row(ROWS[name].path, ROWS[name].expected, method="post")
    for name in (
        "cases:child_change",
        "cases:child_correct",
        "cases:holder_change",
        "cases:close",
        "cases:reopen",
        "cases:contact_frequency",
        "cases:network_add",
        "cases:network_sharing",
        "cases:contact_add",
        "cases:contact_correct",
        "cases:consultation_add",
    )
}
POST_ROWS["cases:network_remove"] = Row(member_path("remove/"), {**FULL_RECORD_ONLY, **REMOVED}, method="post")
