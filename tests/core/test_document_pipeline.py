"""The one document pipeline (core/documents/): every kind the apps register is made through it as a
tagged PDF (PDF/UA-1) with its title and language, read back with poppler's pdfinfo; the registry, an
unknown kind, and the one resend sweep over every kind."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cases.models import ChronologyDocument, ContactKind
from cases.services import contact_log
from core.documents.lifecycle import document_render
from core.documents.models import DocumentState, RenderedDocument
from core.documents.registry import document_kinds
from core.documents.tasks import documents_resend_stale, render_document
from data_rights.models import SubjectAccessDocument
from data_rights.services import subject_access_request_start
from formulation.models import DocumentKind, ReportDocument
from reporting.models import SummaryDocument
from reviews.models import ReviewDocument
from reviews.services import review_sign_off
from tests.conftest import Cast
from tests.factories import kais_report
from tests.reporting.conftest import PERIOD_END, PERIOD_START, build_world
from tests.reviews.helpers import on
from tests.reviews.review_helpers import REVIEW_DAY, formulated, record_every_step, reload, scheduled_review

RESULTS = Path("test-results/tagged-pdfs")


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def report_document(kind: str) -> Callable[[Cast], tuple[RenderedDocument, str]]:
    def make(cast: Cast) -> tuple[RenderedDocument, str]:
        report = kais_report(cast, stage_journey=True)
        titles: dict[str, str] = {
            DocumentKind.FULL: "Formulation report, version 1",
            DocumentKind.SUMMARY: "Formulation summary for the network",
            DocumentKind.CHILD: "A summary for you",
        }
        title = f"{titles[kind]} – K.B. · ECM case {cast.case.pk}"
        return ReportDocument.objects.create(report=report, kind=kind), title

    return make


def review_record(cast: Cast) -> tuple[RenderedDocument, str]:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)  # its request waits for a commit
    document = ReviewDocument.objects.create(review=review)
    return document, f"Review of 3 March 2027 – K.B. · ECM case {cast.case.pk}"


def figures_summary(cast: Cast) -> tuple[RenderedDocument, str]:
    build_world(cast)
    document = SummaryDocument.objects.create(requested_by=cast.commissioner, start=PERIOD_START, end=PERIOD_END)
    return document, "ECM aggregate figures, 1 January 2025 to 31 December 2025"


def subject_access_pack(cast: Cast) -> tuple[RenderedDocument, str]:
    request = subject_access_request_start(
        actor=cast.senior_practitioner,
        child=cast.case.child,
        reference="IG-2026-0042",
        requester="parent",
        requester_name="Maria Brennan",
        received_on=timezone.localdate() - dt.timedelta(days=2),
    )
    return SubjectAccessDocument.objects.get(
        request=request
    ), f"Subject access pack – K.B. · Subject access request {request.pk}"


def chronology_pdf(cast: Cast) -> tuple[RenderedDocument, str]:
    contact_log(
        case=cast.case,
        actor=cast.case_manager,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        kind=ContactKind.HOME_VISIT,
        with_whom="Kai and his mother",
        note="Kai showed me his new bike.",
        significant=True,
    )
    document = ChronologyDocument.objects.create(case=cast.case, requested_by=cast.case_manager, significant_only=True)
    return document, f"Chronology – K.B. · ECM case {cast.case.pk}"


# Every kind the apps register, and each variant of it: a new kind is added here (test_every_kind_is_covered).
KINDS: dict[str, tuple[str, Callable[[Cast], tuple[RenderedDocument, str]]]] = {
    "formulation report: full": ("formulation.report", report_document(DocumentKind.FULL)),
    "formulation report: summary for the network": ("formulation.report", report_document(DocumentKind.SUMMARY)),
    "formulation report: child-friendly summary": ("formulation.report", report_document(DocumentKind.CHILD)),
    "review record": ("reviews.record", review_record),
    "commissioners' summary of the figures": ("reporting.summary", figures_summary),
    "subject access pack": ("data_rights.subject_access_pack", subject_access_pack),
    "chronology, filtered": ("cases.chronology", chronology_pdf),
}


def pdfinfo(path: Path, *options: str) -> str:
    return subprocess.run(  # noqa: S603 - a fixed tool on a file the test made
        ["/usr/bin/pdfinfo", *options, str(path)], capture_output=True, text=True, check=True
    ).stdout


def catalog_language(path: Path) -> list[bytes]:
    """The document's /Lang, read from its (compressed) objects: pdfinfo does not print it."""
    content = path.read_bytes()
    found = re.findall(rb"/Lang ?\(([^)]*)\)", content)
    for stream in re.finditer(rb"stream\r?\n", content):
        try:
            found += re.findall(rb"/Lang ?\(([^)]*)\)", zlib.decompressobj().decompress(content[stream.end() :]))
        except zlib.error:
            continue
    return found


def test_every_kind_is_covered() -> None:
    assert {kind.name for kind in document_kinds()} == {name for name, _ in KINDS.values()}


@pytest.mark.parametrize("variant", list(KINDS))
def test_every_kind_of_pdf_is_tagged_for_screen_readers_with_its_title_and_language(
    cast: Cast, variant: str, media_root: Path
) -> None:
    kind, make = KINDS[variant]
    document, title = make(cast)
    made = document_render(kind, document.pk)
    assert made is not None and made.status == DocumentState.READY
    path = media_root / made.file.name
    RESULTS.mkdir(parents=True, exist_ok=True)
    info = pdfinfo(path)
    (RESULTS / f"{re.sub(r'[^a-z]+', '-', variant.lower())}.txt").write_text(info)
    fields = {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())}
    assert fields["Tagged"] == "yes", info
    assert fields["Title"] == title
    assert "Kai" not in fields["Title"] and "Brennan" not in fields["Title"]
    assert fields["PDF version"] == "1.7"
    assert 'pdfuaid:part="1"' in pdfinfo(path, "-meta")  # declared PDF/UA-1
    assert catalog_language(path) == [b"en-GB"]
    structure = pdfinfo(path, "-struct")
    assert structure.startswith("Document") and "H1" in structure  # real headings, in order
    assert made.checksum and len(made.checksum) == 64


def test_a_job_of_a_kind_nobody_registered_does_nothing(db: None) -> None:
    assert render_document.apply(args=("no.such.kind", 1)).get() == "unknown kind"


def test_the_one_resend_sweep_sends_again_the_lost_jobs_of_every_kind(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(render_document, "delay", lambda kind, document_id: sent.append((kind, document_id)))
    report = kais_report(cast)
    lost = ReportDocument.objects.create(report=report, kind=DocumentKind.FULL)
    fresh = ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY)
    summary = SummaryDocument.objects.create(requested_by=cast.commissioner, start=PERIOD_START, end=PERIOD_END)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    ReportDocument.objects.filter(pk=lost.pk).update(requested_at=long_ago)
    SummaryDocument.objects.filter(pk=summary.pk).update(requested_at=long_ago)

    assert documents_resend_stale() == 2
    assert sorted(sent) == sorted([("formulation.report", lost.pk), ("reporting.summary", summary.pk)])
    assert ("formulation.report", fresh.pk) not in sent
    assert documents_resend_stale() == 0  # each was sent again just now: not stale any more
