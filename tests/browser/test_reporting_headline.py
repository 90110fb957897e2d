"""The reports page as a commissioner reads it (issue 18): the key figures first, each with its change and a
sparkline, a contents list down to the sections, a comparison with the same period last year and the services
side by side, and every chart with its table one click away (opened with the keyboard, a figure read from it).

The services hold enough invented cases (the demo's reporting data, devtools/demo/reporting_data.py) that
most figures are not "<5". Every page is looked at (screenshot, clean load, axe, 390 px phone).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import AgencyKind
from devtools.demo.reporting_data import demo_reporting_data
from reporting.headline import KEY_FIGURES, LEADING_CHARTS
from reporting.report_cache import cached_report
from reporting.scope import report_scope
from reporting.services import commissioning_add
from tests.browser.support import PHONE, look, sign_in
from tests.conftest import Cast
from tests.factories import agency

SHOTS = Path("/tmp")  # noqa: S108 - screenshots for the closing note, outside the tree
FIGURE = re.compile(r"^(<5|\[c\]|[\d,]+–[\d,]+|\d+(\.\d)? days|\d+(–\d+)?%|<5 cases|No cases)$")


@pytest.fixture
def busy(cast: Cast) -> Cast:
    """Bristol and BANES, commissioned by the cast's body, with 1,400 invented cases over three years."""
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.banes)
    health = agency("Riverside Community Health", AgencyKind.HEALTH)
    made = demo_reporting_data(
        services=[cast.bristol, cast.banes], ecm_team=cast.ecm_team, partners=[cast.school, cast.social_care, health]
    )
    assert made is not None
    return cast


def open_reports(page: Page, live_server: Any, cast: Cast, name: str) -> None:
    sign_in(page, live_server, cast.commissioner.username, name=name)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")


def test_the_page_leads_with_the_key_figures_then_a_contents_list(page: Page, live_server: Any, busy: Cast) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    open_reports(page, live_server, busy, "reports headline - commissioner")
    look(page, "reports headline - the last 12 months")
    page.screenshot(path=str(SHOTS / "ecm-h1-headline.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nreports page height at 1280 px: {height} px")  # noqa: T201 - for the closing note
    (SHOTS / "ecm-h1-page-height.txt").write_text(f"{height}\n")

    # The key figures come before anything else of the report.
    cards = page.get_by_test_id("key-figures").locator("> li")
    expect(cards).to_have_count(len(KEY_FIGURES))
    first_key_figure = page.get_by_test_id("key-figures").bounding_box()
    first_table = page.locator("table").first.bounding_box()
    assert first_key_figure is not None and first_table is not None
    assert first_key_figure["y"] < first_table["y"]
    expect(page.get_by_test_id("compared-with")).to_contain_text("Each compared with the previous period")
    for spec in KEY_FIGURES:
        card = page.get_by_test_id(f"key-figure-{spec.key}")
        expect(card.get_by_role("heading", level=3)).to_have_text(spec.label)
        value = card.get_by_test_id("key-figure-value").inner_text()
        assert FIGURE.match(value), (spec.key, value)
        expect(card.get_by_test_id("key-figure-change")).to_contain_text(re.compile(r"the previous period"))
        # The sparkline's text alternative names the figure and gives each month's value.
        spark = card.get_by_role("img", name=re.compile(re.escape(f"{spec.series}, month by month")))
        expect(spark).to_be_visible()
        assert re.search(r"[A-Z][a-z]{2} \d{4}: ", spark.locator("desc").text_content() or "")
    referrals = page.get_by_test_id("key-figure-referrals").get_by_test_id("key-figure-value").inner_text()
    assert referrals != "<5"  # the invented services are busy enough

    # On a phone the cards stack, one a row.
    page.set_viewport_size(PHONE)
    boxes = [page.get_by_test_id(f"key-figure-{spec.key}").bounding_box() for spec in KEY_FIGURES[:2]]
    assert boxes[0] is not None and boxes[1] is not None and boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1
    page.get_by_test_id("key-figures").screenshot(path=str(SHOTS / "ecm-h1-headline-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The contents list leads to each section's heading.
    contents = page.get_by_test_id("contents")
    expect(contents.get_by_role("link")).to_have_count(7)
    contents.get_by_role("link", name="Trauma Recovery Model").click()
    expect(page).to_have_url(re.compile(r"#section-trm-title$"))
    expect(page.get_by_role("heading", level=2, name="Trauma Recovery Model")).to_be_in_viewport()


def test_a_comparison_with_last_year_and_the_services_side_by_side(page: Page, live_server: Any, busy: Cast) -> None:
    open_reports(page, live_server, busy, "reports comparison - commissioner")
    page.get_by_label("The same period last year").check()
    page.get_by_role("button", name="Show the figures").click()
    expect(page.get_by_test_id("compared-with")).to_contain_text("Each compared with the same period last year")
    expect(page.get_by_test_id("key-figure-open").get_by_test_id("key-figure-change")).to_contain_text(
        "the same period last year"
    )
    page.get_by_test_id("chart-table-triage").locator("summary").click()
    triage = page.get_by_test_id("table-triage")
    expect(triage.get_by_role("columnheader", name="Referrals, the same period last year")).to_have_count(1)
    expect(triage.get_by_role("columnheader", name="Change")).to_have_count(1)
    change = triage.locator("tbody tr").last.locator("td").last.inner_text()
    assert change in {"Up", "Down", "Same", "Not compared"}
    look(page, "reports comparison - the same period last year")

    page.get_by_label("Services side by side").check()
    page.get_by_role("button", name="Show the figures").click()
    table = page.get_by_test_id("side-by-side")
    expect(table.get_by_role("columnheader")).to_have_text(["Figure", "BANES YJS", "Bristol YJS", "All of them"])
    expect(table.locator("tbody tr")).to_have_count(len(KEY_FIGURES))
    referrals = table.get_by_role("row", name=re.compile("^Referrals received"))
    cells = referrals.locator("td").all_inner_texts()
    assert len(cells) == 3 and all(FIGURE.match(cell) for cell in cells), cells
    scope = report_scope(busy.commissioner)
    assert cells[-1] == cached_report(scope).key["referrals"].text  # all of them: the page's own figure
    look(page, "reports comparison - services side by side")


def test_every_chart_has_its_table_one_click_away(page: Page, live_server: Any, busy: Cast) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    open_reports(page, live_server, busy, "reports charts - commissioner")
    report = cached_report(report_scope(busy.commissioner))
    for key in LEADING_CHARTS:
        figure = report.figure(key)
        assert figure.chart is not None, f"{key} has nothing to draw"
        chart = page.get_by_test_id(f"chart-{key}")
        expect(chart.get_by_role("img")).to_be_visible()
        details = page.get_by_test_id(f"chart-table-{key}")
        table = details.get_by_test_id(f"table-{key}")
        expect(table).to_be_hidden()
        # By keyboard: the summary takes the focus and opens with Enter.
        details.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(table).to_be_visible()
        row = figure.rows[0]
        shown = table.get_by_role("row", name=re.compile("^" + re.escape(row.label)))
        expect(shown.first.locator("td").first).to_have_text(row.cells[0].text)
    look(page, "reports charts - every table open")
    page.get_by_test_id("chart-waiting_by_month").screenshot(path=str(SHOTS / "ecm-h1-chart-waiting.png"))
    page.get_by_test_id("chart-movement_flow").screenshot(path=str(SHOTS / "ecm-h1-chart-flow.png"))
    page.get_by_test_id("chart-referrals_by_month").screenshot(path=str(SHOTS / "ecm-h1-chart-referrals.png"))
