"""The chronology a practitioner can use (issue 16), in a real browser: Sam searches Kai's chronology and narrows
it to a date range, is told plainly when the range ends before it starts, marks a line and a contact as
significant events and keeps only those, prints the page (the header, navigation and filters are left off), and
downloads the filtered chronology as a PDF headed with Kai's initials. Every page is looked at and checked with axe.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.documents import CHRONOLOGY
from cases.models import CaseEventKind, ChronologyDocument, Contact
from cases.services import case_event_add
from core.documents.tasks import render_document
from tests.browser.support import PHONE, look, screenshot, sign_in, visit
from tests.conftest import Cast
from tests.factories import log_contact

MADE_WITHIN_MS = 20_000


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def kais_chronology(cast: Cast) -> Contact:
    now = timezone.now()
    for days, summary in (
        (70, "Kai joined the Saturday football club"),
        (45, "Kai was excluded from school for a day"),
        (30, "Kai's football coach came to the review"),
        (12, "Kai moved to his aunt's house in Redcliffe"),
    ):
        case_event_add(
            case=cast.case,
            kind=CaseEventKind.OTHER,
            summary=summary,
            actor=cast.case_manager,
            occurred_at=now - dt.timedelta(days=days),
        )
    return log_contact(cast.case, cast.case_manager, with_whom="Kai and his aunt", days_ago=5)


def entries(page: Page) -> Any:
    return page.locator("ol.ecm-timeline > li")


def date_group(page: Page, name: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_sam_filters_marks_prints_and_downloads_kais_chronology(page: Page, live_server: Any, cast: Cast) -> None:
    contact = kais_chronology(cast)
    url = f"/cases/{cast.case.pk}/chronology/"
    sign_in(page, live_server, "sam")
    visit(page, live_server, url, "chronology - everything")
    expect(page.get_by_role("heading", name="Chronology", exact=True)).to_be_visible()

    # Words and a date range.
    page.get_by_label("Search the entries").fill("football")
    expect(entries(page).filter(has_text="excluded from school")).to_have_count(1)
    page.get_by_role("button", name="Filter").click()
    expect(entries(page)).to_have_count(2)
    date_group(page, "Date from", timezone.localdate() - dt.timedelta(days=40))
    page.get_by_role("button", name="Filter").click()
    expect(entries(page)).to_have_count(1)
    expect(entries(page).first).to_contain_text("Kai's football coach came to the review")
    expect(page.get_by_test_id("chronology-count")).to_contain_text("containing \u201cfootball\u201d")
    look(page, "chronology - searched and from a date")

    # A range that ends before it starts is explained, and the boxes keep what was typed.
    date_group(page, "Date to", timezone.localdate() - dt.timedelta(days=60))
    page.get_by_role("button", name="Filter").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date to must be the same as or after date from")
    expect(page).to_have_title(re.compile(r"^Error: Chronology"))
    look(page, "chronology - date range error")
    summary.get_by_role("link", name="Date to must be the same as or after date from").click()
    expect(page.get_by_role("group", name="Date to").get_by_label("Day")).to_be_focused()

    # Mark a line as significant from the chronology: back to the same filtered page, the line tagged.
    page.get_by_role("link", name="Show everything").click()
    line = entries(page).filter(has_text="moved to his aunt's house")
    line.get_by_role("button", name="Mark as significant").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is marked as a significant event")
    expect(line.locator(".govuk-tag", has_text="Significant")).to_be_visible()

    # ...and a contact from its own page.
    page.goto(live_server.url + f"/cases/{cast.case.pk}/contacts/{contact.pk}/")
    page.get_by_role("button", name="Mark as significant").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The contact is marked")
    expect(page.get_by_role("button", name="Unmark as significant")).to_be_visible()
    look(page, "contact - marked as significant")

    visit(page, live_server, url + "?significant=on", "chronology - significant events only")
    expect(entries(page)).to_have_count(2)
    expect(entries(page).filter(has_text="Face to face with Kai and his aunt")).to_have_count(1)
    viewport = page.viewport_size
    page.set_viewport_size(PHONE)  # on a phone the filters come first, then the entries (look() checks the width)
    screenshot(page, "chronology - significant events only, phone")
    if viewport is not None:
        page.set_viewport_size(viewport)

    # Printing leaves the furniture off and keeps the entries.
    page.emulate_media(media="print")
    for furniture in (
        page.locator(".govuk-header"),
        page.locator(".govuk-service-navigation"),
        page.get_by_role("navigation", name="Case"),
        page.locator(".ecm-chronology-filters"),
        page.locator(".govuk-footer"),
        page.get_by_role("button", name=re.compile("as significant$")).first,
    ):
        expect(furniture).to_be_hidden()
    expect(entries(page)).to_have_count(2)
    expect(entries(page).first).to_be_visible()
    screenshot(page, "chronology - as printed")
    page.emulate_media(media="screen")
    expect(page.locator(".govuk-header")).to_be_visible()

    # The PDF of what is shown, made by the document pipeline (the job is run here instead of on a worker).
    page.get_by_role("button", name="Make a PDF of these entries").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The PDF of the chronology is being made"
    )
    expect(page.get_by_role("heading", name="Your PDFs of this chronology")).to_be_visible()
    look(page, "chronology - pdf asked for")
    document = ChronologyDocument.objects.get(case=cast.case)
    assert document.significant_only and document.requested_by == cast.case_manager
    render_document.apply(args=(CHRONOLOGY, document.pk))
    download = page.get_by_role("link", name=re.compile(r"^Download the chronology \(PDF, \d+ pages?, \d+ KB\)$"))
    expect(download).to_be_visible(timeout=MADE_WITHIN_MS)  # the block turns into its link without a reload
    look(page, "chronology - pdf ready")
    with page.expect_download() as download_info:
        download.click()
    made = download_info.value
    assert made.suggested_filename == f"ecm-case-{cast.case.pk}-chronology-{timezone.localdate():%Y-%m-%d}.pdf"
    assert Path(made.path()).read_bytes().startswith(b"%PDF-")
