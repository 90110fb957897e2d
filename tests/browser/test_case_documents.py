"""Documents on Kai's case in a real browser, checked for viruses by a real Celery worker.

Sam uploads a support plan shared with the network (the error summary first) and a file carrying the EICAR
test string kept to the case team; both wait for their virus check; the worker finds the plan clean and the
other infected (its page says why, nothing to download); Sam downloads the plan. Helen, the teacher in Kai's
network, sees only the shared plan and downloads it; the infected document is not found for her; Tom at BANES
does not find Kai's documents at all. Every page is looked at (axe, a 390 px phone).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent
from case_documents.models import CaseDocument, DocumentVersion, ScanStatus
from config.celery_app import app
from tests.browser.support import look, sign_in, sign_out, visit
from tests.case_documents.helpers import EICAR_PDF, PDF
from tests.conftest import Cast

CHECKED_WITHIN_SECONDS = 45


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@contextmanager
def celery_worker() -> Iterator[None]:
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


def _wait_until_checked(count: int) -> None:
    deadline = time.monotonic() + CHECKED_WITHIN_SECONDS
    while DocumentVersion.objects.filter(scan_status=ScanStatus.PENDING).exists() or (
        DocumentVersion.objects.count() < count
    ):
        assert time.monotonic() < deadline, "the virus checks did not finish"
        time.sleep(0.3)


def _upload(page: Page, *, name: str, content: bytes, kind: str, description: str, shared: bool) -> None:
    page.get_by_role("link", name="Upload a document").click()
    page.get_by_label("Upload a file").set_input_files({"name": name, "mimeType": "application/pdf", "buffer": content})
    page.get_by_role("group", name="What kind of document is it?").get_by_label(kind, exact=True).check()
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2025")
    page.get_by_label("Description").fill(description)
    if shared:
        page.get_by_label("Share this document with the network").check()
    page.get_by_role("button", name="Upload the document").click()
    expect(page.get_by_text("waiting for a virus check").first).to_be_visible()


@pytest.mark.celery
def test_upload_is_checked_for_viruses_and_seen_by_the_right_people_only(
    page: Page, live_server: Any, cast: Cast
) -> None:
    documents = f"/cases/{cast.case.pk}/documents/"
    sign_in(page, live_server, cast.case_manager.username, name="documents - case manager")
    visit(page, live_server, documents, "documents - none yet")
    expect(page.get_by_text("No documents have been uploaded yet.")).to_be_visible()

    page.get_by_role("link", name="Upload a document").click()
    page.get_by_role("button", name="Upload the document").click()
    expect(page.get_by_role("alert")).to_contain_text("Select a file")
    look(page, "documents - upload with errors")
    page.get_by_role("link", name="Back to the documents").click()

    _upload(page, name="support-plan.pdf", content=PDF, kind="Education", description="Support plan", shared=True)
    look(page, "documents - waiting for the virus check")
    page.goto(live_server.url + documents)
    _upload(page, name="court-report.pdf", content=EICAR_PDF, kind="Court", description="Court letter", shared=False)

    with celery_worker():
        _wait_until_checked(2)
    page.reload()
    expect(page.get_by_text("A virus was found in version 1 (Eicar-Test-Signature)")).to_be_visible()
    expect(page.get_by_role("link", name="Download version 1 of Court letter")).to_have_count(0)
    look(page, "documents - a virus was found")
    infected = CaseDocument.objects.get(description="Court letter")

    visit(page, live_server, documents, "documents - the case team's list")
    page.get_by_role("link", name="Support plan").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download version 1 of Support plan").click()
    assert download_info.value.suggested_filename == f"ecm-case-{cast.case.pk}-education-support-plan-v1.pdf"
    assert Path(download_info.value.path()).read_bytes() == PDF
    sign_out(page, live_server)

    sign_in(page, live_server, cast.teacher.username, name="documents - teacher")
    visit(page, live_server, documents, "documents - the network's list")
    expect(page.get_by_role("link", name="Support plan")).to_be_visible()
    expect(page.get_by_text("Court letter")).to_have_count(0)
    page.get_by_role("link", name="Support plan").click()
    look(page, "documents - the network opens the shared plan")
    with page.expect_download():
        page.get_by_role("link", name="Download version 1 of Support plan").click()
    assert AccessEvent.objects.filter(user=cast.teacher, action=AccessAction.DOWNLOAD).count() == 1
    visit(page, live_server, f"{documents}{infected.pk}/", "documents - not the network's", status=404)
    sign_out(page, live_server)

    sign_in(page, live_server, cast.banes_case_manager.username, name="documents - another service")
    visit(page, live_server, documents, "documents - another service finds nothing", status=404)
