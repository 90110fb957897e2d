"""API tokens in a real browser: Bristol's agency administrator creates a token for a colleague (a mistake
first, shown in the error summary), sees it once, a system uses it, and the administrator revokes it.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import Page, expect

from accounts.api_tokens import ApiToken
from tests.browser.support import look, sign_in
from tests.conftest import Cast


def test_an_administrator_creates_a_token_sees_it_once_and_revokes_it(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.agency_administrator.username, name="api tokens - agency administrator")
    page.goto(live_server.url + "/manage/")
    page.get_by_role("link", name="API tokens", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_test_id("no-api-tokens")).to_be_visible()
    look(page, "api tokens - none yet")

    # A mistake first: nobody chosen, nothing ticked.
    page.get_by_role("button", name="Create a token").click()
    page.get_by_label("What the token is for").fill("Bristol case system")
    page.get_by_role("button", name="Create the token").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the username or e-mail address of the person the token is for")
    expect(summary).to_contain_text("Choose what the token may do")
    expect(page.get_by_label("What the token is for")).to_have_value("Bristol case system")
    look(page, "api tokens - form with errors")

    page.get_by_label("Person or system account").fill(cast.colleague.email)
    page.get_by_label("Agency").select_option(label="Bristol YJS")
    page.get_by_label("Read: see what the person may see").check()
    page.get_by_role("button", name="Create the token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API token created")
    expect(page.locator(".govuk-warning-text")).to_contain_text("You will not see it again")
    secret = page.get_by_test_id("api-token-secret").input_value()
    assert secret.startswith("ecm_")
    look(page, "api tokens - created, shown once")

    # A system uses it: it sees what Priya's pages show.
    answer = requests.get(live_server.url + "/api/v1/cases/", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200
    assert [case["id"] for case in answer.json()["results"]] == [cast.case.pk]

    # The list shows its start, never the whole token.
    page.get_by_role("link", name="Done: back to API tokens").click()
    table = page.get_by_test_id("api-tokens")
    token = ApiToken.objects.get()
    expect(table).to_contain_text(token.prefix)
    expect(table).to_contain_text("Priya Nandra")
    assert secret not in page.content()
    look(page, "api tokens - list")

    # Revoke, after a confirmation: the system is refused from then on.
    table.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke the token")
    look(page, "api tokens - revoke confirmation")
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is revoked")
    expect(table).to_contain_text("Revoked")
    look(page, "api tokens - revoked")
    refused = requests.get(
        live_server.url + "/api/v1/cases/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert refused.status_code == 401
