"""The reports page's two CSV downloads in a real browser (issue 18): the tidy table (a row per figure) and the
tables as on screen, each downloaded from its link, with its content type, file name and first line.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent
from tests.browser.support import look, sign_in
from tests.conftest import Cast
from tests.reporting.conftest import World, build_world

TIDY_HEADER = "measure,breakdown,services,period_start,period_end,value,suppressed"


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def choose_the_year_2025(page: Page) -> None:
    for legend, (day, month, year) in {
        "Start of the period": ("1", "1", "2025"),
        "End of the period": ("31", "12", "2025"),
    }.items():
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)


def download(page: Page, base: str, link_name: str) -> tuple[str, bytes, str]:
    """Click the link, keep the file; ask for the same address once more to read the content type."""
    link = page.get_by_role("link", name=link_name)
    expect(link).to_have_count(1)
    href = link.get_attribute("href") or ""
    with page.expect_download() as download_info:
        link.click()
    saved = download_info.value
    content = Path(saved.path()).read_bytes()
    response = page.request.get(base + href)  # the page's own session cookie goes with it
    assert response.ok
    return saved.suggested_filename, content, response.headers["content-type"]


def test_both_downloads_from_the_reports_page(page: Page, live_server: Any, world: World) -> None:
    sign_in(page, live_server, world.cast.commissioner.username, name="reports downloads - commissioner")
    page.get_by_role("link", name="Reports").click()
    choose_the_year_2025(page)
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("report-scope")).to_have_text(
        "Figures for 1 January 2025 to 31 December 2025, across 2 services."
    )
    look(page, "reports downloads - the two links")

    name, content, content_type = download(
        page, live_server.url, "Download these figures as a spreadsheet (CSV), one row per figure"
    )
    assert name == "ecm-figures-2025-01-01-to-2025-12-31.csv"
    assert content_type == "text/csv; charset=utf-8"
    text = content.decode("utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf") and text.splitlines()[0] == TIDY_HEADER
    rows = list(csv.reader(io.StringIO(text)))
    assert {len(row) for row in rows} == {7}
    assert any(row[5] == "<5" and row[6] == "true" for row in rows)
    assert ["Triage outcomes", "Decision: Accepted for formulation"] in [row[:2] for row in rows]

    name, content, content_type = download(page, live_server.url, "Download the tables as on screen (CSV)")
    assert name == "ecm-figures-as-shown-2025-01-01-to-2025-12-31.csv"
    assert content_type == "text/csv; charset=utf-8"
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == "ECM aggregate figures"
    assert "Period,1 January 2025 to 31 December 2025" in text
    for text_of_a_download in (text,):
        assert not [secret for secret in world.secrets if secret in text_of_a_download]
    look(page, "reports downloads - after both downloads")

    exports = AccessEvent.objects.filter(
        user=world.cast.commissioner, record_type="aggregate report", action=AccessAction.EXPORT
    ).values_list("description", flat=True)
    descriptions = [description.split(":")[0] for description in exports]
    # Each link clicked, then asked for once more for its headers: two of each, both logged as exports.
    assert sorted(descriptions) == ["figures CSV"] * 2 + ["figures CSV as on screen"] * 2
