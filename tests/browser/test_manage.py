"""The administration area in a real browser: the service administrator finds people and invites one (the
invited person sets their own password from the e-mailed link); Bristol's agency administrator sees only
Bristol's people, gets 404 for a BANES person, and deactivates a leaver.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.browser.support import app_code, look, sign_in, submit_password, visit, watch
from tests.conftest import Cast

NEW_PASSWORD = "lantern-orchard-pebble-42"  # noqa: S105 - an invented test password


def people_table(page: Page) -> Any:
    return page.get_by_test_id("people")


def test_the_service_administrator_finds_people_and_invites_someone(
    page: Page, browser: Browser, live_server: Any, cast: Cast
) -> None:
    mail.outbox = []
    sign_in(page, live_server, cast.administrator.username, name="manage - service administrator")
    page.get_by_role("link", name="Manage", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage ECM")
    look(page, "manage - landing page")

    # Find people: a search, then a filter.
    page.get_by_role("link", name="People", exact=True).click()
    expect(people_table(page)).to_contain_text("Tom Hartley")
    look(page, "manage - people list")
    page.get_by_label("Name, username or e-mail").fill("nandra")
    page.get_by_role("button", name="Find people").click()
    expect(people_table(page)).to_contain_text("Priya Nandra")
    expect(people_table(page)).not_to_contain_text("Sam Okafor")
    page.get_by_label("Name, username or e-mail").fill("")
    page.get_by_label("Agency").select_option(label="BANES YJS")
    page.get_by_role("button", name="Find people").click()
    expect(people_table(page)).to_contain_text("Tom Hartley")
    expect(people_table(page)).not_to_contain_text("Priya Nandra")
    look(page, "manage - people filtered by agency")
    page.get_by_label("Name, username or e-mail").fill("nobody-called-this")
    page.get_by_role("button", name="Find people").click()
    expect(page.get_by_test_id("no-people")).to_contain_text("Nobody matches these filters")

    # Invite: a mistake first (the error summary, what was typed kept), then the invitation.
    page.get_by_role("button", name="Invite a person").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("E-mail address").fill("nia.okoro@bristol-yjs.invalid")
    page.get_by_label("Agency").select_option(label="Bristol YJS")
    page.get_by_label("Role").select_option(label="Clinical psychologist")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot belong to a Youth justice service")
    expect(page.get_by_label("First name")).to_have_value("Nia")
    look(page, "manage - invitation with an error")
    page.get_by_label("Role").select_option(label="Case manager")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Nia Okoro is invited")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Okoro")
    expect(page.get_by_role("button", name="Send the invitation again")).to_be_visible()
    look(page, "manage - invited person")

    # Nia opens the link from her e-mail in her own browser and sets her password.
    [message] = mail.outbox
    match = re.search(r"https?://\S+/accounts/invitation/\S+/", str(message.body))
    assert match, message.body
    assert "Kai" not in message.body
    nias_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    watch(nias_context)
    nias_page = nias_context.new_page()
    visit(nias_page, live_server, urlsplit(match.group(0)).path, "manage - set your password")
    expect(nias_page.get_by_role("heading", level=1)).to_have_text("Set your password")
    expect(nias_page.locator("main")).to_contain_text("nia.okoro")
    nias_page.get_by_label("Create a password").fill(NEW_PASSWORD)
    nias_page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    nias_page.get_by_role("button", name="Set my password").click()
    expect(nias_page).to_have_url(live_server.url + "/accounts/sign-in/")
    expect(nias_page.locator(".govuk-notification-banner--success")).to_contain_text("Your password is set")
    look(nias_page, "manage - password set, sign in")
    assert User.objects.get(username="nia.okoro").check_password(NEW_PASSWORD)

    # Her first sign-in: the password she chose, then setting up her authenticator from the typed key.
    submit_password(nias_page, "nia.okoro", NEW_PASSWORD)
    expect(nias_page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    look(nias_page, "manage - invited person sets up two-factor sign-in")
    nias_page.get_by_label("Security code").fill(app_code(nias_page.get_by_test_id("otp-key").inner_text()))
    nias_page.get_by_role("button", name="Confirm and continue").click()
    expect(nias_page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    nias_page.get_by_role("button", name="I have kept my codes safe: continue").click()
    expect(nias_page).to_have_url(live_server.url + "/")
    expect(nias_page.get_by_role("banner")).to_contain_text("Nia Okoro")
    look(nias_page, "manage - invited person signed in")
    nias_context.close()


def test_the_agency_administrator_sees_only_bristol_and_deactivates_a_leaver(
    page: Page, live_server: Any, cast: Cast
) -> None:
    sign_in(page, live_server, cast.agency_administrator.username, name="manage - agency administrator")
    expect(page.locator("main")).to_contain_text("People of Bristol YJS")
    page.get_by_role("link", name="Manage people").click()
    expect(people_table(page)).to_contain_text("Priya Nandra")
    expect(people_table(page)).not_to_contain_text("Tom Hartley")
    look(page, "manage - agency administrator's people")

    # A BANES person does not exist as far as Bristol's administrator can tell.
    visit(
        page,
        live_server,
        f"/manage/people/{cast.banes_case_manager.pk}/",
        "manage - banes person not found",
        status=404,
    )
    expect(page.locator("main")).not_to_contain_text("Hartley")
    visit(page, live_server, "/manage/agencies/", "manage - agencies forbidden", status=403)

    # Priya leaves: deactivate her after reading what happens.
    visit(page, live_server, "/manage/people/", "manage - people again")
    people_table(page).get_by_role("link", name="Priya Nandra").click()
    look(page, "manage - person page")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Priya Nandra?")
    expect(page.locator("main")).to_contain_text("They cannot sign in")
    look(page, "manage - deactivation confirmation")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Priya Nandra is deactivated")
    expect(page.get_by_test_id("history")).to_contain_text("Deactivated: cannot sign in")
    expect(page.get_by_test_id("history")).to_contain_text("Ola Brandt")
    look(page, "manage - deactivated person")
    assert not User.objects.get(pk=cast.colleague.pk).is_active


def test_the_service_administrator_runs_agencies_coverage_and_commissioning(
    page: Page, live_server: Any, cast: Cast
) -> None:
    sign_in(page, live_server, cast.administrator.username, name="manage - service administrator (service)")
    visit(page, live_server, "/manage/agencies/", "manage - agencies")
    expect(page.locator("main")).to_contain_text("Fernbrook Academy")

    # Adding an agency: a mistake first, then a new youth justice service.
    page.get_by_role("button", name="Add an agency").click()
    page.get_by_role("button", name="Add the agency").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the agency's name")
    look(page, "manage - add an agency with an error")
    page.get_by_label("Name").fill("Kestrel Vale YJS")
    page.get_by_label("Kind of agency").select_option(label="Youth justice service")
    page.get_by_role("button", name="Add the agency").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page.get_by_role("link", name="Kestrel Vale YJS", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kestrel Vale YJS")
    look(page, "manage - the new agency")

    visit(page, live_server, "/manage/coverage/", "manage - coverage")
    expect(page.locator("main")).to_contain_text("Alex Morgan")
    visit(page, live_server, "/manage/commissioning/", "manage - commissioning")
    expect(page.locator("main")).to_contain_text("Westcombe ICB")

    # A person's memberships: the add and change-role pages.
    visit(page, live_server, f"/manage/people/{cast.teacher.pk}/memberships/add/", "manage - add a membership")
    membership = cast.teacher.memberships.get()
    visit(
        page,
        live_server,
        f"/manage/people/{cast.teacher.pk}/memberships/{membership.pk}/role/",
        "manage - change a role",
    )
