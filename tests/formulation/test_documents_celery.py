"""The report PDFs made by a real Celery worker against Redis: sign-off asks for them once committed,
the worker makes each one, and the stored files are real PDFs headed with initials and case number."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery_app import app
from core.documents.models import DocumentState
from formulation import documents
from formulation.models import DocumentKind, ReportDocument
from tests.conftest import Cast
from tests.factories import kais_report
from tests.formulation.document_helpers import pdf_text


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def celery_worker() -> Iterator[None]:
    """A real worker thread consuming from the test Redis database."""
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


def wait_for(condition: Callable[[], bool], *, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_signing_off_a_report_makes_its_pdfs_on_a_real_worker(
    cast: Cast, media_root: Path, celery_worker: None
) -> None:
    # What the sign-off service does: the report is signed off, and once that is committed the PDFs
    # are asked for (formulation/services/reports.py calls report_documents_request in transaction.on_commit).
    with transaction.atomic():
        report = kais_report(cast, stage_journey=True)
        transaction.on_commit(lambda: documents.report_documents_request(report=report))

    def all_ready() -> bool:
        statuses = set(ReportDocument.objects.filter(report=report).values_list("status", flat=True))
        assert DocumentState.FAILED not in statuses, ReportDocument.objects.filter(report=report).values("error")
        return statuses == {DocumentState.READY} and ReportDocument.objects.filter(report=report).count() == 3

    wait_for(all_ready, what="the three PDFs to be made")
    for document in ReportDocument.objects.filter(report=report):
        assert document.attempts == 1
        assert document.pages and document.render_seconds
        stored = media_root / document.file.name
        assert stored.read_bytes().startswith(b"%PDF-")
        assert pdf_text(stored, page=1).lstrip().startswith(f"K.B. · ECM case {cast.case.pk}")
    summary = ReportDocument.objects.get(report=report, kind=DocumentKind.SUMMARY)
    assert "Brennan" not in pdf_text(media_root / summary.file.name)

    # A second request (the same on_commit run twice) sends nothing that would make them again.
    assert documents.report_documents_request(report=report) == []
