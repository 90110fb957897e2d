"""The PDFs of Kai's signed-off formulation report in a real browser, made by a real Celery worker.

Sam sees the three PDFs waiting, then (the worker started) each block turns into its download
link without a reload, and downloads the full report; a failed PDF shows why and Alex tries it
again; Helen, the teacher in Kai's network, downloads the summary and nothing else; without
JavaScript the "Check again" link shows the finished PDF. Every page is looked at and checked with axe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent
from config.celery_app import app
from core.documents.models import DocumentState
from core.documents.tasks import render_document
from formulation import documents
from formulation.models import DocumentKind, FormulationReport, ReportDocument
from tests.browser.support import look, page_without_javascript, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import kais_report

MADE_WITHIN_MS = 45_000


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@contextmanager
def celery_worker() -> Iterator[None]:
    """A real worker thread consuming from the test Redis database, started when the test says so."""
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        yield


def documents_url(report: FormulationReport) -> str:
    return f"/cases/{report.case_id}/formulation/{report.pk}/documents/"


def block(page: Page, title: str) -> Any:
    return page.locator("[data-document-progress]").filter(has=page.get_by_role("heading", name=title, exact=True))


def download_link(page: Page, kind_label: str) -> Any:
    return page.get_by_role(
        "link", name=re.compile(rf"^Download the {kind_label.lower()} \(PDF, \d+ pages?, \d+ KB\)$")
    )


@pytest.mark.celery
def test_the_case_manager_watches_the_pdfs_being_made_and_the_teacher_downloads_only_the_summary(
    page: Page, live_server: Any, cast: Cast
) -> None:
    report = kais_report(cast, stage_journey=True)
    documents.report_documents_request(report=report)  # what sign-off does once committed; no worker yet
    url = documents_url(report)

    sign_in(page, live_server, cast.case_manager.username, name="report pdfs - case manager")
    visit(page, live_server, url, "report pdfs - waiting to be made")
    expect(page.get_by_role("heading", level=1)).to_have_text("PDFs of the formulation report")
    for title in ("Full report", "Summary for the network", "Child-friendly summary"):
        expect(block(page, title).get_by_text("Waiting to start")).to_be_visible()
        expect(block(page, title).get_by_role("link", name=re.compile("^Check again"))).to_be_visible()

    with celery_worker():
        # No reload: the page asks every 2 seconds and puts each link in place when it is ready.
        for label in ("Full report", "Summary for the network", "Child-friendly summary"):
            expect(download_link(page, label)).to_be_visible(timeout=MADE_WITHIN_MS)
    expect(page.get_by_text("Waiting to start")).to_have_count(0)
    look(page, "report pdfs - ready to download")

    with page.expect_download() as download_info:
        download_link(page, "Full report").click()
    download = download_info.value
    assert download.suggested_filename == f"ecm-case-{cast.case.pk}-formulation-report-v1-full.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    [event] = AccessEvent.objects.filter(user=cast.case_manager, action=AccessAction.DOWNLOAD)
    assert event.description == "Full report of formulation report version 1 (PDF)"
    sign_out(page, live_server)

    sign_in(page, live_server, cast.teacher.username, name="report pdfs - teacher")
    visit(page, live_server, url, "report pdfs - the teacher's summary")
    expect(page.locator("[data-document-progress]")).to_have_count(1)
    expect(download_link(page, "Summary for the network")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("full report|child-friendly", re.IGNORECASE))).to_have_count(0)
    with page.expect_download() as download_info:
        download_link(page, "Summary for the network").click()
    assert download_info.value.suggested_filename == f"ecm-case-{cast.case.pk}-formulation-report-v1-summary.pdf"
    assert AccessEvent.objects.filter(user=cast.teacher, action=AccessAction.DOWNLOAD).count() == 1
    visit(page, live_server, f"{url}full/download/", "report pdfs - teacher refused the full report", status=403)


@pytest.mark.celery
def test_a_failed_pdf_says_why_and_the_psychologist_tries_it_again(page: Page, live_server: Any, cast: Cast) -> None:
    report = kais_report(cast, child_friendly="")
    failed = ReportDocument.objects.create(
        report=report,
        kind=DocumentKind.FULL,
        status=DocumentState.FAILED,
        attempts=4,
        error="The PDF could not be made after 4 attempts. Try again; if it fails again, tell the ECM service desk.",
    )
    sign_in(page, live_server, cast.psychologist.username, name="report pdfs - psychologist")
    visit(page, live_server, documents_url(report), "report pdfs - a failed pdf")
    full = block(page, "Full report")
    expect(full.get_by_text("Failed", exact=True)).to_be_visible()
    expect(full.get_by_text("could not be made after 4 attempts")).to_be_visible()

    with celery_worker():
        full.get_by_role("button", name=re.compile("^Try again")).click()
        expect(page.get_by_role("alert")).to_contain_text("The full report is being made again")
        expect(download_link(page, "Full report")).to_be_visible(timeout=MADE_WITHIN_MS)
    look(page, "report pdfs - made after trying again")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (DocumentState.READY, 1, "")


def test_without_javascript_check_again_shows_the_finished_pdf(new_context: Any, live_server: Any, cast: Cast) -> None:
    report = kais_report(cast)
    summary = ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY)
    page = page_without_javascript(new_context)
    sign_in(page, live_server, cast.teacher.username, name="report pdfs - teacher without javascript")
    visit(page, live_server, documents_url(report), "report pdfs - no javascript, waiting")
    expect(page.get_by_text("Waiting to start")).to_be_visible()

    render_document.apply(args=(documents.REPORT_DOCUMENT, summary.pk))  # the job, run here instead of on a worker
    page.get_by_role("link", name=re.compile("^Check again")).click()
    expect(download_link(page, "Summary for the network")).to_be_visible()
    look(page, "report pdfs - no javascript, ready")
