"""Signing in and out, each role's home page, and the access rules as a person meets them.

Every page a journey reaches is screenshotted, checked for failed loads and checked with axe
(see support.look).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD

SIGN_IN = "/accounts/sign-in/"
WRONG_PASSWORD = "not-the-password-at-all"

# cast member, full name and agency in the header, their home page section, sees Kai on the home page
ROLES = [
    ("case_manager", "Sam Okafor", "Bristol YJS", "Cases you hold", True),
    ("colleague", "Priya Nandra", "Bristol YJS", "Cases you hold", False),
    ("banes_case_manager", "Tom Hartley", "BANES YJS", "Cases you hold", False),
    ("psychologist", "Alex Morgan", "ECM Team", "ECM cases in the services you cover", True),
    ("senior_practitioner", "Jordan Reeve", "ECM Team", "ECM cases in the services you cover", True),
    ("teacher", "Helen Marsh", "Fernbrook Academy", "Cases shared with you", True),
    ("social_worker", "Rob Ingram", "Avonvale Social Care", "Cases shared with you", False),
    ("commissioner", "Chris Lowe", "Westcombe ICB", "ECM activity", False),
    ("administrator", "Dana Whitfield", "ECM Team", "Access audit", False),
]


def submit_sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(("member", "full_name", "agency", "section", "sees_kai"), ROLES, ids=[r[0] for r in ROLES])
def test_each_person_signs_in_to_their_own_work_and_signs_out(
    page: Page, live_server: Any, cast: Cast, member: str, full_name: str, agency: str, section: str, sees_kai: bool
) -> None:
    person = cast.everyone()[member]

    sign_in(page, live_server, person.username, name=member)

    header = page.get_by_role("banner")
    expect(header).to_contain_text(full_name)
    expect(header).to_contain_text(agency)
    expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    kai = page.get_by_role("link", name="Kai Brennan")
    if sees_kai:
        expect(kai).to_be_visible()
    else:
        expect(kai).to_have_count(0)

    sign_out(page, live_server)
    look(page, f"{member} signed out")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(re.escape(live_server.url + SIGN_IN) + r"\?next=/$"))


def test_the_commissioner_sees_figures_never_a_child(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.commissioner.username, name="commissioner figures")

    open_cases = page.get_by_test_id("open-cases")
    expect(open_cases).to_have_text("<5")  # one open case: small numbers are suppressed
    expect(page.get_by_role("main")).not_to_contain_text("Kai")


def test_a_wrong_password_is_explained_and_the_username_kept(page: Page, live_server: Any, cast: Cast) -> None:
    visit(page, live_server, SIGN_IN, "wrong password - sign-in")
    submit_sign_in(page, cast.case_manager.username, WRONG_PASSWORD)

    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    problem = summary.get_by_role("link", name="Enter a correct username and password. Both are case-sensitive.")
    expect(problem).to_have_attribute("href", "#id_username")
    expect(page.get_by_label("Username")).to_have_value("sam")
    expect(page.get_by_label("Password")).to_have_value("")
    look(page, "wrong password - error summary")

    problem.click()
    expect(page.get_by_label("Username")).to_be_focused()


def test_an_empty_form_asks_for_both_fields(page: Page, live_server: Any, cast: Cast) -> None:
    visit(page, live_server, SIGN_IN, "empty form - sign-in")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your username")).to_have_attribute("href", "#id_username")
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute("href", "#id_password")
    # Each field carries its own message too, announced with the field.
    expect(page.locator("#id_username-error")).to_have_text("Error: Enter your username")
    expect(page.locator("#id_password-error")).to_have_text("Error: Enter your password")
    expect(page.get_by_label("Username")).to_have_attribute("aria-describedby", re.compile(r"\bid_username-error\b"))
    look(page, "empty form - error summary")

    summary.get_by_role("link", name="Enter your password").click()
    expect(page.get_by_label("Password")).to_be_focused()


def test_five_failed_sign_ins_lock_the_username(page: Page, live_server: Any, cast: Cast) -> None:
    visit(page, live_server, SIGN_IN, "lockout - sign-in")
    for attempt in range(1, 5):
        submit_sign_in(page, cast.case_manager.username, WRONG_PASSWORD)
        expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
        if attempt == 1:
            look(page, "lockout - first failure")

    with page.expect_response(lambda response: response.request.method == "POST") as fifth:
        submit_sign_in(page, cast.case_manager.username, WRONG_PASSWORD)
    assert fifth.value.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is locked for now")
    look(page, "lockout - locked")

    # Locked means locked: the right password does not get in either.
    visit(page, live_server, SIGN_IN, "lockout - sign-in again")
    submit_sign_in(page, cast.case_manager.username, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is locked for now")
    expect(page).not_to_have_url(live_server.url + "/")


def test_a_partner_in_the_network_sees_only_the_shared_summary(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.teacher.username, name="teacher summary")
    page.get_by_role("link", name="Kai Brennan").click()

    expect(page).to_have_url(live_server.url + f"/cases/{cast.case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
    expect(page.locator(".govuk-inset-text")).to_contain_text("shared summary")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text("Date of birth")
    expect(main).not_to_contain_text("LOC-100231")
    look(page, "teacher - shared summary of the case")


def test_a_case_manager_in_another_service_finds_no_such_case(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.banes_case_manager.username, name="banes case manager")

    visit(page, live_server, f"/cases/{cast.case.pk}/", "banes case manager - 404 for a bristol case", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Kai")


def test_a_case_manager_cannot_read_the_whole_access_log(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="case manager access log")

    visit(page, live_server, "/cases/access-log/", "case manager - 403 on the access log", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")


def test_who_looked_at_a_case_is_shown_to_its_holder_and_the_administrator(
    page: Page, live_server: Any, cast: Cast
) -> None:
    case_path = f"/cases/{cast.case.pk}/"
    sign_in(page, live_server, cast.case_manager.username, name="audit case manager")
    page.get_by_role("link", name="Kai Brennan").click()
    expect(page).to_have_url(live_server.url + case_path)
    page.get_by_role("navigation", name="Case").get_by_role("link", name="Details", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("LOC-100231")  # the full record: the child's details
    look(page, "audit - case manager - full case record")

    page.get_by_role("link", name="See who has looked at this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has looked at this case")
    expect(page.get_by_role("row").filter(has_text="Sam Okafor")).not_to_have_count(0)
    look(page, "audit - case manager - who has looked at this case")
    sign_out(page, live_server)

    sign_in(page, live_server, cast.administrator.username, name="audit administrator")
    page.get_by_role("link", name="Read the whole access log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log")
    sam_viewed_the_case = (
        page.get_by_role("row").filter(has_text="Sam Okafor").filter(has_text=re.compile(rf"\b{cast.case.pk}\b"))
    )
    expect(sam_viewed_the_case.first).to_be_visible()
    look(page, "audit - administrator - access log")

    page.get_by_label("Person (username or surname)").fill("Okafor")
    page.get_by_role("button", name="Filter the log").click()
    expect(page.get_by_role("row").filter(has_text="Dana Whitfield")).to_have_count(0)
    expect(sam_viewed_the_case.first).to_be_visible()
    look(page, "audit - administrator - access log filtered to sam")
