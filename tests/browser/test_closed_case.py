"""A closed case in a real browser: its pages read, offer no write action (no "Log a contact", no network
changes, no holder change), a form opened before the case closed is refused with the GOV.UK error summary and
keeps what was typed, and "Reopen the case" is the way back.

Every page reached is screenshotted, checked for failed loads, checked with axe and at 390 px (support.look).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from cases.models import Case, Contact
from cases.services import case_close
from tests.browser.support import look, sign_in, visit
from tests.browser.test_case_record import fill_yesterday_at
from tests.conftest import Cast
from tests.factories import log_contact

WRITE_ACTIONS = (
    "Log a contact",
    "Add a correction",
    "Add someone to the network",
    "Remove",
    "Change the case holder",
    "Close the case",
    "Set a goal",
    "Schedule a formulation meeting",
    "Log a consultation",
)


def no_write_actions(page: Page) -> None:
    main = page.locator("main")
    for name in WRITE_ACTIONS:
        expect(main.get_by_role("link", name=name, exact=True)).to_have_count(0)
        expect(main.get_by_role("button", name=name, exact=True)).to_have_count(0)


def test_a_closed_case_reads_but_offers_nothing_to_write_and_refuses_a_stale_form(
    page: Page, live_server: Any, cast: Cast
) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    sign_in(page, live_server, cast.case_manager.username, name="closed case - case manager")
    # The contact form is opened while the case is open...
    visit(page, live_server, f"/cases/{cast.case.pk}/contacts/add/", "closed case - contact form while open")
    fill_yesterday_at(page, "09:15")
    page.get_by_label("With whom").fill("Kai and his aunt")
    page.get_by_label("Note", exact=True).fill("Typed while a colleague closed the case.")
    # ...and a colleague closes the case meanwhile.
    case_close(
        case=cast.case, actor=cast.colleague, reason="goals_met", outcome_summary="Settled.", ending_plan="Texts."
    )
    page.get_by_role("group", name="Type of contact").get_by_label("Phone", exact=True).check()
    page.get_by_role("button", name="Save the contact").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This case is closed. Reopen it to add or change anything.")
    expect(page.get_by_label("Note", exact=True)).to_have_value("Typed while a colleague closed the case.")
    look(page, "closed case - contact refused")
    assert Contact.objects.filter(case=cast.case).count() == 1

    for path, name in [
        ("", "overview"),
        ("contacts/", "contacts"),
        (f"contacts/{contact.pk}/", "one contact"),
        ("network/", "network"),
        ("details/", "details"),
        ("trm/", "trm and goals"),
        ("meetings-and-reviews/", "meetings and reviews"),
    ]:
        visit(page, live_server, f"/cases/{cast.case.pk}/{path}", f"closed case - {name}")
        no_write_actions(page)
    visit(page, live_server, f"/cases/{cast.case.pk}/goals/", "closed case - goals")
    no_write_actions(page)

    # Reopening is the way back.
    visit(page, live_server, f"/cases/{cast.case.pk}/details/", "closed case - details before reopening")
    page.get_by_role("link", name="Reopen the case").first.click()
    page.get_by_label("Why is the case reopening?").fill("Kai asked for help again.")
    page.get_by_role("button", name="Reopen the case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The case is open again")
    look(page, "closed case - reopened")
    assert Case.objects.get(pk=cast.case.pk).is_open
    visit(page, live_server, f"/cases/{cast.case.pk}/", "closed case - overview after reopening")
    expect(page.locator("main").get_by_role("link", name="Log a contact").first).to_be_visible()
