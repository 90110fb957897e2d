"""The summary PDF: asked for on the reports page, made by the job (core/documents/), downloaded by its
requester only, never holding a child's name, date of birth, reference or free text."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Membership
from accounts.services import membership_end
from core.documents.lifecycle import document_render
from core.documents.models import DocumentState
from core.documents.tasks import documents_resend_stale, render_document
from reporting import documents
from reporting.models import SummaryDocument
from tests.reporting.conftest import World

pytestmark = pytest.mark.django_db

YEAR_2025: dict[str, Any] = {
    "start_day": "1",
    "start_month": "1",
    "start_year": "2025",
    "end_day": "31",
    "end_month": "12",
    "end_year": "2025",
}


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def ask(world: World, django_capture_on_commit_callbacks: Any, data: dict[str, Any] | None = None) -> SummaryDocument:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = signed_in(world.cast.commissioner).post("/reports/summaries/", data or YEAR_2025)
    assert response.status_code == 302
    assert response["Location"].startswith("/reports/?") and response["Location"].endswith("#summaries")
    assert len(callbacks) == 1  # the job is sent once the row is committed, never before
    return SummaryDocument.objects.get(requested_by=world.cast.commissioner)


def test_asking_for_a_summary_writes_it_down_and_logs_the_export(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    document = ask(world, django_capture_on_commit_callbacks, {**YEAR_2025, "agencies": [world.cast.banes.pk]})
    assert (document.start.isoformat(), document.end.isoformat()) == ("2025-01-01", "2025-12-31")
    assert document.agency_ids == [world.cast.banes.pk]
    assert document.status == DocumentState.QUEUED
    event = AccessEvent.objects.get(user=world.cast.commissioner, action=AccessAction.EXPORT)
    assert event.record_type == "aggregate report" and event.record_id == str(document.pk)
    assert event.description == "summary PDF asked for: 1 January 2025 to 31 December 2025; BANES YJS"


def test_a_summary_of_services_one_may_not_see_is_not_made(world: World) -> None:
    response = signed_in(world.cast.case_manager).post(
        "/reports/summaries/", {**YEAR_2025, "agencies": [world.cast.banes.pk]}
    )
    assert response.status_code == 302 and response["Location"].startswith("/reports/?")
    assert not SummaryDocument.objects.exists()


def test_the_job_prints_the_pages_figures_and_nothing_that_names_a_child(
    world: World, media_root: Path, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    assert render_document.apply(args=(documents.SUMMARY, document.pk)).get() == "ready"
    document.refresh_from_db()
    assert document.status == DocumentState.READY and document.pages and document.pages >= 3
    assert document.file.name.startswith("reporting/summaries/ecm-figures-2025-01-01-to-2025-12-31")
    text = pdf_text(Path(document.file.path).read_bytes(), tmp_path)
    assert "ECM aggregate figures" in text
    assert "1 January 2025 to 31 December 2025" in text
    assert "36.4" in text and "55–100%" in text and "5–9" in text  # the page's own cells
    found = [secret for secret in world.secrets if secret in text]
    assert not found, f"the summary PDF holds {found}"
    # Run again (a second delivery of the message): nothing to do.
    assert render_document.apply(args=(documents.SUMMARY, document.pk)).get() == "nothing to do"


def test_the_requester_downloads_it_and_the_download_is_logged(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    document_render(documents.SUMMARY, document.pk)
    client = signed_in(world.cast.commissioner)
    status = json.loads(client.get(f"/reports/summaries/{document.pk}/status/").content)
    assert status["status"] == "ready" and status["finished"] is True
    assert f"/reports/summaries/{document.pk}/download/" in status["html"]
    response = client.get(f"/reports/summaries/{document.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="ecm-figures-2025-01-01-to-2025-12-31.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    download = AccessEvent.objects.get(user=world.cast.commissioner, action=AccessAction.DOWNLOAD)
    assert download.record_id == str(document.pk)
    # Another reader of reports never sees it; a partner may not read reports at all.
    assert signed_in(world.cast.psychologist).get(f"/reports/summaries/{document.pk}/download/").status_code == 404
    assert signed_in(world.cast.teacher).get(f"/reports/summaries/{document.pk}/download/").status_code == 403


def test_a_summary_not_ready_cannot_be_downloaded(world: World, django_capture_on_commit_callbacks: Any) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    response = signed_in(world.cast.commissioner).get(f"/reports/summaries/{document.pk}/download/")
    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action=AccessAction.DOWNLOAD).exists()


def test_the_reports_page_shows_the_summary_being_made(world: World, django_capture_on_commit_callbacks: Any) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    page = signed_in(world.cast.commissioner).get("/reports/", YEAR_2025).content.decode()
    assert "Your PDF summaries" in page
    assert f'data-status-url="/reports/summaries/{document.pk}/status/"' in page
    assert "Summary of 1 January 2025 to 31 December 2025" in page
    assert "The PDF is queued" in page


def test_a_person_who_lost_their_role_gets_no_summary(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        signed_in(world.cast.case_manager).post("/reports/summaries/", YEAR_2025)
    document = SummaryDocument.objects.get(requested_by=world.cast.case_manager)
    membership_end(membership=Membership.objects.get(user=world.cast.case_manager, agency=world.cast.bristol))
    assert render_document.apply(args=(documents.SUMMARY, document.pk)).get() == "failed"
    document.refresh_from_db()
    assert document.status == DocumentState.FAILED
    assert "may no longer read reports" in document.error


def test_a_failed_summary_can_be_tried_again_and_a_ready_one_is_left(
    world: World, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    SummaryDocument.objects.filter(pk=document.pk).update(
        status=DocumentState.FAILED, error="It broke", finished_at=timezone.now(), attempts=4
    )
    client = signed_in(world.cast.commissioner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/reports/summaries/{document.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == "/reports/#summaries"
    assert len(callbacks) == 1
    document.refresh_from_db()
    assert (document.status, document.attempts, document.error) == (DocumentState.QUEUED, 0, "")
    document_render(documents.SUMMARY, document.pk)
    client.post(f"/reports/summaries/{document.pk}/retry/")
    document.refresh_from_db()
    assert document.status == DocumentState.READY


def test_summaries_whose_message_was_lost_are_sent_again(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    document = ask(world, django_capture_on_commit_callbacks)
    SummaryDocument.objects.filter(pk=document.pk).update(requested_at=timezone.now() - dt.timedelta(hours=1))
    sent: list[int] = []
    monkeypatch.setattr(render_document, "delay", lambda kind, document_id: sent.append(document_id))
    assert documents_resend_stale() == 1
    assert sent == [document.pk]
    assert documents_resend_stale() == 0  # sent again just now: not stale any more
