"""Transfers between services in a real browser (issue 17): Bristol offers Kai's case to BANES, which declines it
with a reason (first forgetting it); Bristol offers it again and BANES accepts it, choosing Tom as holder; Sam,
now of the former service, reads what Bristol recorded and nothing more.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast


def _offer(page: Page, live_server: Any, cast: Cast, name: str) -> None:
    sign_in(page, live_server, cast.case_manager.username, name=f"transfer - {name} - case manager")
    visit(page, live_server, f"/cases/{cast.case.pk}/details/", f"transfer - {name} - details")
    page.get_by_role("link", name="Offer the case to another service").click()
    page.get_by_label("Which youth justice service should take the case?").select_option(label="BANES YJS")
    page.get_by_label("Why should the case move?").fill("Kai moved to live with his aunt in Bath.")
    page.get_by_role("button", name="Offer the case").click()
    expect(page.get_by_text("It waits for their decision")).to_be_visible()
    look(page, f"transfer - {name} - offered")
    sign_out(page, live_server)


def test_an_offer_declined_then_one_accepted(page: Page, live_server: Any, cast: Cast) -> None:
    _offer(page, live_server, cast, "first")

    sign_in(page, live_server, cast.banes_case_manager.username, name="transfer - banes")
    page.get_by_role("link", name="Transfers").first.click()
    look(page, "transfer - the receiving service's list")
    page.get_by_role("link", name=f"Case {cast.case.pk} (KB").click()
    expect(page.get_by_text("Brennan")).to_have_count(0)
    page.get_by_role("button", name="Decline the offer").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why your service cannot take the case")
    look(page, "transfer - the decline needs a reason")
    page.get_by_label("Why can your service not take the case?").fill("Kai's aunt lives in Bristol after all.")
    page.get_by_role("button", name="Decline the offer").click()
    expect(page.get_by_text(f"Offer of case {cast.case.pk} declined")).to_be_visible()
    sign_out(page, live_server)

    _offer(page, live_server, cast, "second")
    sign_in(page, live_server, cast.banes_case_manager.username, name="transfer - banes again")
    visit(page, live_server, "/cases/transfers/", "transfer - the list again")
    page.get_by_role("link", name=f"Case {cast.case.pk} (KB").first.click()
    page.get_by_label("Who will hold the case?").select_option(label="Tom Hartley")
    page.get_by_role("button", name="Accept the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
    look(page, "transfer - the case, now BANES's")
    visit(page, live_server, f"/cases/{cast.case.pk}/chronology/", "transfer - the move in the chronology")
    expect(page.get_by_text("Case moved from Bristol YJS to BANES YJS")).to_be_visible()
    sign_out(page, live_server)

    sign_in(page, live_server, cast.case_manager.username, name="transfer - former service")
    visit(page, live_server, f"/cases/{cast.case.pk}/", "transfer - the former service's summary")
    page.get_by_role("link", name="Read what your service recorded").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What your service recorded")
    look(page, "transfer - what the former service recorded")
    visit(page, live_server, f"/cases/{cast.case.pk}/contacts/add/", "transfer - no new contact", status=403)
