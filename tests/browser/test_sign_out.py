"""Signing out leaves nothing typed behind in the browser tab: autosave's drafts in sessionStorage go."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, sign_out
from tests.conftest import Cast
from tests.referrals.helpers import draft_referral

ECM_KEYS = "Object.keys(sessionStorage).filter(k => k.startsWith('ecm-'))"


def type_a_draft(page: Page, live_server: Any, cast: Cast) -> None:
    referral = draft_referral(cast)
    page.goto(live_server.url + f"/referrals/{referral.pk}/reasons/")
    page.get_by_label("Why are you referring this child to ECM?").fill("Typed, not saved: placements broke down")
    assert page.evaluate(ECM_KEYS) != []  # autosave keeps it in the tab as it is typed


def test_signing_out_clears_the_drafts_kept_in_the_tab(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="sign out - case manager")
    type_a_draft(page, live_server, cast)
    sign_out(page, live_server)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    look(page, "sign out - signed out")
    assert page.evaluate(ECM_KEYS) == []


def test_the_signed_out_page_clears_drafts_the_sign_out_button_left(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="sign out backstop - case manager")
    type_a_draft(page, live_server, cast)
    # As if the button were pressed before the page's script ran: form.submit() fires no submit event.
    page.evaluate("document.querySelector('form[data-ecm-sign-out]').submit()")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert page.evaluate(ECM_KEYS) == []
