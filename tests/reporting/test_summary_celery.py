"""The summary PDF made by a real Celery worker against Redis, once the request is committed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker

from config.celery_app import app
from core.documents.models import DocumentState
from reporting import documents
from reporting.models import SummaryDocument
from tests.conftest import Cast, ensure_trm_reference_data
from tests.reporting.conftest import PERIOD_END, PERIOD_START, build_world


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def celery_worker() -> Iterator[None]:
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_asking_for_a_summary_has_a_real_worker_make_it(cast: Cast, media_root: Path, celery_worker: None) -> None:
    ensure_trm_reference_data()  # an earlier transactional test may have flushed it
    build_world(cast)
    document = documents.summary_document_request(
        user=cast.commissioner, start=PERIOD_START, end=PERIOD_END, agency_ids=[]
    )
    deadline = time.monotonic() + 60
    while SummaryDocument.objects.get(pk=document.pk).status != DocumentState.READY:
        status = SummaryDocument.objects.get(pk=document.pk)
        assert status.status != DocumentState.FAILED, status.error
        assert time.monotonic() < deadline, "waited 60 s for the worker to make the summary"
        time.sleep(0.2)
    document.refresh_from_db()
    assert document.attempts == 1
    assert Path(document.file.path).read_bytes().startswith(b"%PDF")
