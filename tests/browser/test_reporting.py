"""The reports in a real browser: the commissioner opens the dashboard, chooses a period and a service,
reads the suppressed figures and downloads the CSV, then asks for the PDF summary and watches a real
Celery worker make it; a case manager sees only their own service.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401 - registers the ping task start_worker uses
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent
from config.celery_app import app
from tests.browser.support import look, sign_in
from tests.conftest import Cast
from tests.reporting.conftest import World, build_world


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def choose_the_year_2025(page: Page) -> None:
    for legend, (day, month, year) in {
        "Start of the period": ("1", "1", "2025"),
        "End of the period": ("31", "12", "2025"),
    }.items():
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)


def test_the_commissioner_filters_the_figures_and_downloads_them(page: Page, live_server: Any, world: World) -> None:
    sign_in(page, live_server, world.cast.commissioner.username, name="reports - commissioner")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    look(page, "reports - dashboard, the last 12 months")

    # A period that makes no sense is explained, and nothing is shown.
    choose_the_year_2025(page)
    page.get_by_role("group", name="End of the period").get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The end of the period must be the same as or after its start"
    )
    look(page, "reports - dashboard, a period that makes no sense")

    choose_the_year_2025(page)
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("report-scope")).to_have_text(
        "Figures for 1 January 2025 to 31 December 2025, across 2 services."
    )
    headline = page.get_by_test_id("headline")
    expect(headline).to_contain_text("Cases open in the period")
    expect(page.get_by_test_id("table-triage")).to_contain_text("5–9")  # counts show as ranges of five
    expect(page.get_by_test_id("table-waiting")).to_contain_text("36.4")
    expect(page.get_by_role("img", name="Attendance by partner agency type")).to_be_visible()
    expect(page.get_by_role("img", name="Triage outcomes")).to_be_visible()
    # Every stage is "<5": no bar to draw, so no chart.
    expect(page.get_by_role("img", name="Cases by TRM stage at the end of the period")).to_have_count(0)
    look(page, "reports - dashboard, 2025 across both services")

    # Only BANES.
    page.get_by_text("Only some services").click()
    page.get_by_label("BANES YJS").check()
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("report-scope")).to_have_text(
        "Figures for 1 January 2025 to 31 December 2025, across BANES YJS."
    )
    expect(page.get_by_test_id("table-referrals")).not_to_contain_text("Bristol YJS")
    look(page, "reports - dashboard, BANES only")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these figures as a spreadsheet (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "ecm-figures-2025-01-01-to-2025-12-31.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "BANES YJS" in text and "Bristol YJS" not in text
    assert not [secret for secret in world.secrets if secret in text]
    assert not [secret for secret in world.secrets if secret in page.content()]

    actions = list(
        AccessEvent.objects.filter(user=world.cast.commissioner, record_type="aggregate report")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == [AccessAction.VIEW, AccessAction.VIEW, AccessAction.VIEW, AccessAction.EXPORT]


def test_a_case_manager_reads_their_own_service_only(page: Page, live_server: Any, world: World) -> None:
    sign_in(page, live_server, world.cast.banes_case_manager.username, name="reports - BANES case manager")
    page.get_by_role("link", name="Reports").click()
    choose_the_year_2025(page)
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("report-scope")).to_have_text(
        "Figures for 1 January 2025 to 31 December 2025, across BANES YJS."
    )
    expect(page.get_by_text("Only some services")).to_have_count(1)
    expect(page.get_by_test_id("table-meetings")).not_to_contain_text("Bristol YJS")
    look(page, "reports - dashboard, BANES case manager")


@pytest.mark.celery
def test_the_commissioner_has_the_summary_pdf_made_and_downloads_it(
    page: Page, live_server: Any, world: World, media_root: Path, tmp_path: Path
) -> None:
    sign_in(page, live_server, world.cast.commissioner.username, name="reports pdf - commissioner")
    page.get_by_role("link", name="Reports").click()
    choose_the_year_2025(page)
    page.get_by_role("button", name="Show the figures").click()
    page.get_by_role("button", name="Make a PDF summary of these figures").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The PDF summary is being made")
    summary = page.locator("[data-document-progress]")
    expect(summary.get_by_role("heading", level=3)).to_have_text("Summary of 1 January 2025 to 31 December 2025")
    expect(summary).to_contain_text("Waiting to start")
    look(page, "reports pdf - summary waiting")

    # The worker starts: the block turns into the download link without a reload.
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10):
        link = summary.get_by_role("link", name=re.compile(r"^Download the summary \(PDF, \d+ pages, \d+ KB\)$"))
        expect(link).to_be_visible(timeout=45_000)
    look(page, "reports pdf - summary ready")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "ecm-figures-2025-01-01-to-2025-12-31.pdf"
    pdf = Path(download.path())
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607
    assert "ECM aggregate figures" in text and "Referrals received" in text
    assert not [secret for secret in world.secrets if secret in text]
    actions = set(
        AccessEvent.objects.filter(user=world.cast.commissioner, record_type="aggregate report").values_list(
            "action", flat=True
        )
    )
    assert {AccessAction.EXPORT, AccessAction.DOWNLOAD} <= actions
