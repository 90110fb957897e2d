"""The PDF job without a worker: what sign-off asks for, the task run in process (Celery's apply), its
idempotency, retries with a growing wait, the failure it records, and trying again."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery_app import app
from core.documents import lifecycle
from core.documents.lifecycle import CLAIM_LEASE_SECONDS, PDF_MAX_RETRIES, document_store, retry_countdown
from core.documents.models import DocumentState
from core.documents.rendering import RenderedPdf
from core.documents.tasks import documents_resend_stale, render_document
from formulation import documents
from formulation.models import DocumentKind, FormulationReport, ReportDocument, ReportStatus
from tests.conftest import Cast
from tests.factories import kais_report, ready_document


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The document ids sent to the render job (instead of to Redis)."""
    ids: list[int] = []
    monkeypatch.setattr(render_document, "delay", lambda kind, document_id: ids.append(document_id))
    return ids


@pytest.fixture
def report(cast: Cast) -> FormulationReport:
    return kais_report(cast, stage_journey=True)


def document(report: FormulationReport, kind: str = DocumentKind.FULL) -> ReportDocument:
    return ReportDocument.objects.get(report=report, kind=kind)


def run(document_id: int) -> Any:
    """Run the task as a worker would, in this process; its retries run at once."""
    return render_document.apply(args=(documents.REPORT_DOCUMENT, document_id)).get(disable_sync_subtasks=False)


def test_the_task_is_registered_and_retries_three_times_waiting_longer_each_time() -> None:
    assert "core.documents.render_document" in app.tasks
    assert render_document.max_retries == PDF_MAX_RETRIES == 3
    assert [retry_countdown(retries) for retries in range(3)] == [10, 20, 40]


def test_sign_off_asks_for_each_pdf_and_sends_the_jobs_only_once_committed(
    report: FormulationReport, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        requested = documents.report_documents_request(report=report)
    assert sent == []  # nothing reaches the queue before the rows are committed
    assert {row.kind for row in requested} == {DocumentKind.FULL, DocumentKind.SUMMARY, DocumentKind.CHILD}
    assert all(row.status == DocumentState.QUEUED and row.attempts == 0 for row in requested)
    for callback in callbacks:
        callback()
    assert sorted(sent) == sorted(row.pk for row in requested)


def test_a_report_without_a_child_friendly_summary_gets_two_pdfs(cast: Cast, sent: list[int]) -> None:
    report = kais_report(cast, child_friendly="   ")
    kinds = [row.kind for row in documents.report_documents_request(report=report)]
    assert kinds == [DocumentKind.FULL, DocumentKind.SUMMARY]


def test_asking_again_keeps_a_ready_pdf_and_queues_a_failed_one_afresh(
    report: FormulationReport, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    ready = ready_document(report, DocumentKind.FULL)
    failed = ReportDocument.objects.create(
        report=report, kind=DocumentKind.SUMMARY, status=DocumentState.FAILED, attempts=4, error="It broke"
    )
    with django_capture_on_commit_callbacks(execute=True):
        requested = documents.report_documents_request(report=report)
    assert {row.kind for row in requested} == {DocumentKind.SUMMARY, DocumentKind.CHILD}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (DocumentState.QUEUED, 0, "")
    ready.refresh_from_db()
    assert ready.status == DocumentState.READY and ready.pk not in sent
    assert sorted(sent) == sorted(row.pk for row in requested)


def test_a_report_that_is_not_signed_off_has_no_pdfs(report: FormulationReport, sent: list[int]) -> None:
    FormulationReport.objects.filter(pk=report.pk).update(status=ReportStatus.IN_REVIEW)
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        documents.report_documents_request(report=report)
    assert not ReportDocument.objects.exists()


def test_the_job_makes_the_pdf_keeps_it_and_a_second_run_does_nothing(
    cast: Cast, report: FormulationReport, sent: list[int], media_root: Path
) -> None:
    documents.report_documents_request(report=report)
    full = document(report)
    assert run(full.pk) == "ready"
    full.refresh_from_db()
    assert full.status == DocumentState.READY
    assert full.attempts == 1 and full.error == ""
    assert full.pages and full.pages >= 2
    assert full.render_seconds and full.render_seconds > 0
    assert full.finished_at is not None
    stored = media_root / full.file.name
    assert stored.is_file() and stored.read_bytes().startswith(b"%PDF-")
    assert full.checksum == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert full.file.name.startswith(f"formulation/reports/ecm-case-{cast.case.pk}-formulation-report-v1-full")
    assert "Brennan" not in full.file.name and "Kai" not in full.file.name

    before = (full.file.name, full.finished_at, full.attempts)
    assert run(full.pk) == "nothing to do"  # the same message delivered twice
    full.refresh_from_db()
    assert (full.file.name, full.finished_at, full.attempts) == before
    assert len(list((media_root / "formulation" / "reports").iterdir())) == 1


def test_a_document_left_rendering_by_a_worker_that_died_is_made_again_once_its_claim_runs_out(
    report: FormulationReport, sent: list[int]
) -> None:
    documents.report_documents_request(report=report)
    rendering = ReportDocument.objects.filter(report=report, kind=DocumentKind.SUMMARY)
    rendering.update(status=DocumentState.RENDERING, attempts=1, claimed_at=timezone.now())
    summary = document(report, DocumentKind.SUMMARY)
    assert run(summary.pk) == "nothing to do"  # claimed just now: a duplicate message never renders twice
    summary.refresh_from_db()
    assert (summary.status, summary.attempts) == (DocumentState.RENDERING, 1)

    rendering.update(claimed_at=timezone.now() - dt.timedelta(seconds=CLAIM_LEASE_SECONDS + 1))
    assert run(summary.pk) == "ready"  # a claim that has run out is a dead worker's
    summary.refresh_from_db()
    assert (summary.status, summary.attempts) == (DocumentState.READY, 2)


def test_a_job_for_a_document_that_is_gone_does_nothing(db: None) -> None:
    assert run(987654) == "nothing to do"


def test_an_unexpected_error_is_tried_three_more_times_then_the_document_fails_with_the_reason(
    report: FormulationReport, sent: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    documents.report_documents_request(report=report)
    full = document(report)
    # A broken print template: every attempt fails the same way.
    monkeypatch.setitem(documents.KIND_TEMPLATES, DocumentKind.FULL, "pdf/no-such-template.html")
    recorded: list[tuple[str, bool]] = []
    record_failure = lifecycle.document_failed

    def spy(kind: str, document_id: int, *, message: str, final: bool) -> None:
        recorded.append((ReportDocument.objects.get(pk=document_id).status, final))
        record_failure(kind, document_id, message=message, final=final)

    monkeypatch.setattr(lifecycle, "document_failed", spy)
    assert run(full.pk) == "failed"
    full.refresh_from_db()
    assert full.status == DocumentState.FAILED
    assert full.attempts == 4  # the first attempt and three retries
    assert recorded == [(DocumentState.RENDERING, False)] * 3 + [(DocumentState.RENDERING, True)]
    assert full.error.startswith("The PDF could not be made after 4 attempts. Try again;")
    assert "TemplateDoesNotExist: pdf/no-such-template.html" in full.error
    assert full.finished_at is not None and not full.file
    # The other kinds are not affected.
    summary = document(report, DocumentKind.SUMMARY)
    assert run(summary.pk) == "ready"


def test_between_attempts_the_document_waits_with_what_went_wrong(
    report: FormulationReport, sent: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    documents.report_documents_request(report=report)
    full = document(report)
    monkeypatch.setitem(documents.KIND_TEMPLATES, DocumentKind.FULL, "pdf/no-such-template.html")
    with pytest.raises(Exception, match="no-such-template"):
        lifecycle.document_render(documents.REPORT_DOCUMENT, full.pk)
    lifecycle.document_failed(documents.REPORT_DOCUMENT, full.pk, message="Attempt 1 failed", final=False)
    full.refresh_from_db()
    assert (full.status, full.attempts, full.error) == (DocumentState.QUEUED, 1, "Attempt 1 failed")
    assert full.finished_at is None


def test_a_pdf_that_cannot_be_made_fails_at_once_without_retrying(cast: Cast, sent: list[int]) -> None:
    report = kais_report(cast, child_friendly="")
    child = ReportDocument.objects.create(report=report, kind=DocumentKind.CHILD)
    assert run(child.pk) == "failed"
    child.refresh_from_db()
    assert (child.status, child.attempts) == (DocumentState.FAILED, 1)
    assert child.error == "The PDF cannot be made: The report has no child-friendly summary."


def test_try_again_queues_a_failed_pdf_and_sends_it_once_committed(
    cast: Cast, report: FormulationReport, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    failed = ReportDocument.objects.create(
        report=report, kind=DocumentKind.FULL, status=DocumentState.FAILED, attempts=4, error="It broke"
    )
    with django_capture_on_commit_callbacks(execute=True):
        documents.report_document_retry(document=failed, actor=cast.case_manager)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (DocumentState.QUEUED, 0, "")
    assert sent == [failed.pk]
    history = failed.history.order_by("pgh_id")  # type: ignore[attr-defined]
    assert [row.status for row in history] == [DocumentState.FAILED, DocumentState.QUEUED]


def test_try_again_is_refused_for_a_pdf_that_is_ready_or_still_being_made(
    cast: Cast, report: FormulationReport, sent: list[int]
) -> None:
    ready = ready_document(report, DocumentKind.FULL)
    waiting = ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY)
    for row in (ready, waiting):
        with pytest.raises(ValidationError, match="nothing to try again"):
            documents.report_document_retry(document=row, actor=cast.case_manager)
    assert sent == []


def test_a_job_waiting_far_too_long_may_be_started_again_and_is_swept_up(
    cast: Cast, report: FormulationReport, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    waiting = ReportDocument.objects.create(report=report, kind=DocumentKind.FULL)
    fresh = ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY)
    assert documents_resend_stale() == 0
    long_ago = timezone.now() - dt.timedelta(minutes=20)
    ReportDocument.objects.filter(pk=waiting.pk).update(requested_at=long_ago)
    assert documents_resend_stale.apply().get() == 1
    assert sent == [waiting.pk]
    waiting.refresh_from_db()
    assert waiting.requested_at == long_ago  # when it was asked for is kept (the page says it is late)
    assert waiting.claimed_at is not None and waiting.claimed_at > long_ago  # sent again now
    assert documents_resend_stale() == 0  # so not swept again at once
    assert fresh.pk not in sent

    ReportDocument.objects.filter(pk=waiting.pk).update(requested_at=long_ago, claimed_at=long_ago)
    waiting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        documents.report_document_retry(document=waiting, actor=cast.psychologist)
    assert sent == [waiting.pk, waiting.pk]


def test_a_broker_that_cannot_be_reached_leaves_the_rows_queued(
    report: FormulationReport, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def unreachable(kind: str, document_id: int) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(render_document, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        requested = documents.report_documents_request(report=report)
    assert {row.status for row in ReportDocument.objects.filter(report=report)} == {DocumentState.QUEUED}
    assert len(requested) == 3


def test_making_a_pdf_again_replaces_the_stored_file(
    report: FormulationReport, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    full = ready_document(report, DocumentKind.FULL, content=b"%PDF-1.7 first")
    first = media_root / full.file.name
    ReportDocument.objects.filter(pk=full.pk).update(status=DocumentState.RENDERING)
    with django_capture_on_commit_callbacks(execute=True):
        document_store(
            ReportDocument.objects.all(),
            full,
            RenderedPdf(content=b"%PDF-1.7 second", pages=3, seconds=0.5),
            filename="ecm-case-1-second.pdf",
        )
    full.refresh_from_db()
    assert (media_root / full.file.name).read_bytes() == b"%PDF-1.7 second"
    assert (full.pages, full.render_seconds) == (3, 0.5)
    assert not first.exists()


def test_a_pdf_finished_after_it_was_reset_is_not_kept(report: FormulationReport, media_root: Path) -> None:
    queued = ReportDocument.objects.create(report=report, kind=DocumentKind.FULL)
    stored = document_store(
        ReportDocument.objects.all(),
        queued,
        RenderedPdf(content=b"%PDF-1.7 late", pages=1, seconds=0.1),
        filename="ecm-case-1-late.pdf",
    )
    assert stored.status == DocumentState.QUEUED and not stored.file
    assert not list(media_root.rglob("*.pdf"))
