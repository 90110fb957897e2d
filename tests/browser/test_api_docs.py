"""The interactive API documentation (/api/docs/) works in a real browser and passes axe, Swagger UI included."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.support import axe_check, screenshot, sign_in
from tests.conftest import Cast


def test_a_developer_reads_the_api_documentation(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.administrator.username, name="api docs - administrator")
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", name="ECM API")).to_be_visible()
    expect(page.get_by_text("/api/v1/cases/", exact=True).first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    # An operation opened: its parameters and answers are drawn, and still nothing fails axe.
    page.get_by_text("/api/v1/cases/", exact=True).first.click()
    expect(page.get_by_text("Parameters").first).to_be_visible()
    axe_check(page)
    screenshot(page, "api docs - an operation opened")
