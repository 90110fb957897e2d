"""Leavers and movers in a real browser: a deactivated teacher is signed out at once and can no longer open
Kai's case or its summary PDF; a senior practitioner hands a case manager's caseload on in bulk; the
network picker's search and its confirmation for someone of another youth justice service (no JavaScript).

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.services import user_deactivate
from cases.models import Case, NetworkMember
from formulation.models import DocumentKind
from tests.browser.support import look, page_without_javascript, sign_in, visit
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD, kais_report, make_case, ready_document

SIGN_IN = "/accounts/sign-in/"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def banner(page: Page) -> Any:
    return page.locator(".govuk-notification-banner--success")


def test_a_deactivated_teacher_is_signed_out_and_loses_the_case_and_its_pdf(
    page: Page, live_server: Any, cast: Cast
) -> None:
    report = kais_report(cast)
    ready_document(report, DocumentKind.SUMMARY)
    case_url = f"/cases/{cast.case.pk}/"
    pdf_url = f"/cases/{cast.case.pk}/formulation/{report.pk}/documents/summary/download/"

    sign_in(page, live_server, cast.teacher.username, name="leaver teacher")
    visit(page, live_server, case_url, "leaver teacher - Kai's shared summary")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kai")
    before = page.request.get(live_server.url + pdf_url, max_redirects=0)
    assert before.status == 200 and before.headers["content-type"] == "application/pdf"

    # Her administrator deactivates her (the service; the /manage/ pages call the same one).
    user_deactivate(user=cast.teacher, actor=cast.administrator)

    # The open page, reloaded: she is signed out at once.
    page.reload()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + SIGN_IN)))
    look(page, "leaver teacher - signed out on reload")
    # The PDF's address leads to the sign-in page too, not to the file.
    after = page.request.get(live_server.url + pdf_url, max_redirects=0)
    assert after.status == 302 and after.headers["location"].startswith(SIGN_IN)

    # Signing in again is refused.
    page.get_by_label("Username").fill(cast.teacher.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + SIGN_IN)))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    look(page, "leaver teacher - sign-in refused")
    assert page.request.get(live_server.url + case_url, max_redirects=0).status == 302


def test_a_senior_practitioner_hands_a_caseload_on_in_bulk(page: Page, live_server: Any, cast: Cast) -> None:
    second = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    work_url = f"/manage/people/{cast.case_manager.pk}/work/"
    sign_in(page, live_server, cast.senior_practitioner.username, name="leaver work")
    visit(page, live_server, work_url, "leaver work - Sam's open cases")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand on Sam Okafor's work")
    boxes = page.get_by_role("group", name="Open cases they hold (2)").get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()

    # Forgetting the reason is explained; nothing moves.
    page.get_by_label("Colleague who will take it on").select_option(label="Priya Nandra (Case manager, Bristol YJS)")
    page.get_by_role("button", name="Hand on the chosen work").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason for handing the work on")
    look(page, "leaver work - reason missing")
    assert Case.objects.filter(case_holder=cast.case_manager).count() == 2

    page.get_by_label("Colleague who will take it on").select_option(label="Priya Nandra (Case manager, Bristol YJS)")
    page.get_by_label("Reason").fill("Sam has left Bristol YJS; Priya takes on his caseload.")
    page.get_by_role("button", name="Hand on the chosen work").click()
    expect(banner(page)).to_contain_text("2 pieces of work handed on to Priya Nandra")
    expect(page.get_by_text("Sam Okafor holds no open cases and owns no open actions")).to_be_visible()
    look(page, "leaver work - handed on")
    assert set(Case.objects.filter(pk__in=[cast.case.pk, second.pk]).values_list("case_holder", flat=True)) == {
        cast.colleague.pk
    }

    # Each case's holder history shows the reason.
    visit(page, live_server, f"/cases/{cast.case.pk}/details/", "leaver work - Kai's case details after the hand-over")
    expect(page.get_by_role("table", name="Everyone who has held this case, newest first")).to_contain_text(
        "Sam has left Bristol YJS; Priya takes on his caseload."
    )


def test_the_network_picker_searches_and_confirms_another_service_without_javascript(
    new_context: Any, live_server: Any, cast: Cast
) -> None:
    page = page_without_javascript(new_context)
    sign_in(page, live_server, cast.case_manager.username, name="network picker")
    visit(page, live_server, f"/cases/{cast.case.pk}/network/add/", "network picker - add page")
    expect(page.get_by_role("combobox", name="Their ECM account")).to_have_count(0)

    page.get_by_label("Search by name or e-mail address").fill("h")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter at least 2 characters")
    look(page, "network picker - too short")

    page.get_by_label("Search by name or e-mail address").fill("hartley")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="People of other agencies")
    expect(results).to_contain_text("Tom Hartley")
    expect(results).to_contain_text("BANES YJS")
    expect(results).to_contain_text("Another youth justice service")
    look(page, "network picker - results")

    page.get_by_role("link", name="Choose Tom Hartley").click()
    look(page, "network picker - choose Tom")
    page.get_by_label("Role in the child's network").fill("Case manager where Kai's cousin lives")
    page.get_by_label("They may see the shared summary of this case").check()
    page.get_by_role("button", name="Add to the network").click()
    warning = "Tom Hartley works for BANES YJS. Sharing gives them the summary of this case."
    expect(page.get_by_text(warning)).to_be_visible()
    look(page, "network picker - confirm another service")
    assert not NetworkMember.objects.filter(case=cast.case, user=cast.banes_case_manager).exists()

    page.get_by_role("button", name="Confirm and add Tom Hartley").click()
    expect(banner(page)).to_contain_text("Tom Hartley is in the network and may see the shared summary")
    look(page, "network picker - Tom in the network")
    member = NetworkMember.objects.get(case=cast.case, user=cast.banes_case_manager, removed_at__isnull=True)
    assert member.may_see_summary and member.role == "Case manager where Kai's cousin lives"
