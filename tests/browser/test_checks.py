"""The checks every journey relies on can fail, and ECM's pages really are styled.

If axe or the load watcher silently passed everything, every journey would pass with them; and a
page that loads no stylesheet is still "accessible" to axe in ways that hide real problems.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route

from tests.browser.support import axe_check, look, page_without_javascript, visit

BAD_PAGE = """<!DOCTYPE html>
<html><head><title>Bad</title><link rel="stylesheet" href="/static/missing.css"></head>
<body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" id="unlabelled"></main></body></html>"""


def serve_bad_page(page: Page) -> str:
    url = "http://ecm.test/bad/"

    def serve(route: Route) -> None:
        if route.request.url == url:
            route.fulfill(status=200, content_type="text/html", body=BAD_PAGE)
        else:
            route.fulfill(status=404, body="")

    page.route("http://ecm.test/**", serve)
    return url


def test_axe_check_names_each_violation_and_where_it_is(page: Page) -> None:
    page.goto(serve_bad_page(page))

    with pytest.raises(AssertionError) as failure:
        axe_check(page)

    message = str(failure.value)
    assert "image-alt (critical): Images must have alternative text" in message
    assert "label (critical)" in message
    assert "at #unlabelled" in message


def test_axe_check_also_works_on_a_page_without_javascript(new_context: Any) -> None:
    page = page_without_javascript(new_context)
    page.goto(serve_bad_page(page))

    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page)


def test_a_stylesheet_that_does_not_load_fails_the_page(page: Page) -> None:
    page.goto(serve_bad_page(page))

    with pytest.raises(AssertionError, match=r"404 for http://ecm.test/static/missing.css"):
        look(page, "checks - a page whose stylesheet is missing")


def test_pages_are_styled_with_gov_uk_frontend_in_arial(page: Page, live_server: Any) -> None:
    visit(page, live_server, "/accounts/sign-in/", "checks - styled sign-in")

    styles = page.evaluate(
        """() => {
          const style = (selector) => getComputedStyle(document.querySelector(selector));
          return {
            header: style(".govuk-header").backgroundColor,
            heading: style("h1").fontFamily,
            headingSize: style("h1").fontSize,
            button: style(".govuk-button").backgroundColor,
            body: document.body.className,
          };
        }"""
    )
    assert styles["header"] == "rgb(29, 112, 184)"  # GOV.UK brand blue
    assert styles["heading"].startswith("Arial")  # not GDS Transport: that font is for GOV.UK only
    assert styles["headingSize"] == "36px"  # govuk-heading-l on a wide screen
    assert styles["button"] == "rgb(15, 122, 82)"  # GOV.UK Frontend 6 green button
    # GOV.UK Frontend's JavaScript ran (as a module, under the CSP).
    assert "govuk-frontend-supported" in styles["body"].split()
