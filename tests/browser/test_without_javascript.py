"""Progressive enhancement: the sign-in journey works with JavaScript switched off.

ECM's pages are server-rendered and its CSP allows no inline script, so a person whose browser
runs no JavaScript (or whose JavaScript failed to load) must still be able to sign in, be told
what went wrong, reach their work and sign out.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.support import look, page_without_javascript, sign_in, sign_out, visit
from tests.conftest import Cast


def test_signing_in_and_out_works_without_javascript(new_context: Any, live_server: Any, cast: Cast) -> None:
    page = page_without_javascript(new_context)

    visit(page, live_server, "/accounts/sign-in/", "no javascript - sign-in")
    # GOV.UK Frontend's JavaScript would have marked the body; nothing ran.
    expect(page.locator("body")).not_to_have_class("js-enabled")
    assert page.evaluate("document.body.className") == "govuk-template__body"

    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your username")).to_be_visible()
    look(page, "no javascript - empty form error summary")

    # The error summary's links are plain in-page links: they still take you to the field.
    summary.get_by_role("link", name="Enter your username").click()
    expect(page).to_have_url(live_server.url + "/accounts/sign-in/#id_username")

    page.get_by_label("Username").fill(cast.case_manager.username)
    page.get_by_label("Password").fill("not-the-password-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(
        summary.get_by_role("link", name="Enter a correct username and password. Both are case-sensitive.")
    ).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("sam")
    look(page, "no javascript - wrong password error summary")

    sign_in(page, live_server, cast.case_manager.username, name="no javascript - case manager")
    expect(page.get_by_role("banner")).to_contain_text("Sam Okafor")
    expect(page.get_by_role("heading", level=2, name="Cases you hold")).to_be_visible()

    page.get_by_role("link", name="Kai Brennan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
    look(page, "no javascript - case record")

    sign_out(page, live_server)
    look(page, "no javascript - signed out")
