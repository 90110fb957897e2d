"""What is due, in a real browser (issue 16): a case manager, a psychologist and a senior practitioner each
sign in to their workboard; the case manager sorts the caseload by its columns and changes how often a
child is contacted. axe and the 390 px check run on every page (support.look)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case
from referrals.models import Urgency
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import child, log_contact, make_case, recommendation, signed_off_report
from tests.referrals.helpers import draft_referral, submitted_referral


def some_work(cast: Cast) -> Case:
    """Kai: a report signed off 60 days ago (review 4 days overdue) with an overdue action of the case manager;
    Lena: last seen 20 days ago (contact overdue); two referrals waiting, one urgent; a draft."""
    today = timezone.localdate()
    # Noon, UK time, 60 days ago: "now minus 60 days" late in the evening falls on the next UK day in summer time.
    sixty_days_ago = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=60), dt.time(12)))
    report = signed_off_report(cast, signed_off_at=sixty_days_ago)
    recommendation(cast, report, "Weekly football", owner=cast.case_manager, due_on=today - dt.timedelta(days=3))
    Case.objects.filter(pk=cast.case.pk).update(trm_stage=3)
    lena = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Lena"))
    log_contact(lena, cast.case_manager, days_ago=20)
    log_contact(cast.case, cast.case_manager, days_ago=3)
    submitted_referral(cast, child=child(given_name="Routine"))
    submitted_referral(cast, child=child(given_name="Urgent"), urgency=Urgency.URGENT)
    draft_referral(cast, child=child(given_name="Drafted"))
    return lena


def test_a_case_manager_sees_what_is_due_and_sorts_the_caseload(page: Page, live_server: Any, cast: Cast) -> None:
    lena = some_work(cast)
    sign_in(page, live_server, cast.case_manager.username, name="workboard - case manager")
    board = page.get_by_test_id("workboard")
    expect(board.get_by_role("heading", name="What is due")).to_be_visible()
    contacts = page.get_by_test_id("work-contacts")
    expect(contacts).to_contain_text("Lena Testfamily")
    expect(contacts).to_contain_text("6 days overdue")
    expect(page.get_by_test_id("work-reviews")).to_contain_text("4 days overdue")
    expect(page.get_by_test_id("work-actions")).to_contain_text("3 days overdue")
    expect(page.get_by_test_id("work-drafts")).to_contain_text("Drafted Testfamily")

    # The contact row leads to logging the contact.
    contacts.get_by_role("link", name="Contact the child for Lena Testfamily").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{lena.pk}/contacts/add/")

    # The caseload sorts by each column through its heading's link.
    visit(page, live_server, "/cases/", "workboard - caseload")
    table = page.locator("table.govuk-table")
    header = table.get_by_role("columnheader", name="Last contact")
    header.get_by_role("link").click()
    expect(table.get_by_role("columnheader", name="Last contact")).to_have_attribute("aria-sort", "ascending")
    rows = table.locator("tbody tr")
    expect(rows.first).to_contain_text("Lena Testfamily")  # the longest since a contact
    expect(rows.first).to_contain_text("Contact overdue")
    look(page, "workboard - caseload by last contact")
    table.get_by_role("columnheader", name="Last contact").get_by_role("link").click()
    expect(table.get_by_role("columnheader", name="Last contact")).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Kai Brennan")
    table.get_by_role("columnheader", name="Overdue actions").get_by_role("link").click()
    expect(table.get_by_role("columnheader", name="Overdue actions")).to_have_attribute("aria-sort", "descending")
    expect(rows.first).to_contain_text("Kai Brennan")
    table.get_by_role("columnheader", name="TRM stage").get_by_role("link").click()
    expect(rows.first).to_contain_text("Stage 3")
    look(page, "workboard - caseload by TRM stage")

    # How often Lena is contacted: every 30 days, and her contact is no longer overdue.
    visit(page, live_server, f"/cases/{lena.pk}/contact-frequency/", "workboard - contact frequency")
    page.get_by_label("Days between contacts").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter 1 day or more")
    look(page, "workboard - contact frequency error")
    page.get_by_label("Days between contacts").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("every 30 days")
    visit(page, live_server, "/", "workboard - case manager after")
    expect(page.get_by_test_id("work-contacts-empty")).to_have_text("No contact is due or overdue.")
    sign_out(page, live_server)


def test_clinicians_see_triage_urgent_first_and_reviews_to_schedule(page: Page, live_server: Any, cast: Cast) -> None:
    some_work(cast)
    sign_in(page, live_server, cast.psychologist.username, name="workboard - psychologist")
    triage = page.get_by_test_id("work-triage")
    expect(triage.locator("tbody tr").first).to_contain_text("Urgent Testfamily")
    expect(triage.locator("tbody tr").nth(1)).to_contain_text("Routine Testfamily")
    expect(page.get_by_test_id("work-reports-empty")).to_have_text("No report waits for you.")
    expect(page.get_by_test_id("work-meetings-empty")).to_be_visible()
    sign_out(page, live_server)

    sign_in(page, live_server, cast.senior_practitioner.username, name="workboard - senior practitioner")
    schedule = page.get_by_test_id("work-schedule")
    expect(schedule).to_contain_text("Kai Brennan")
    expect(schedule).to_contain_text("4 days overdue")
    expect(page.get_by_test_id("work-sign_off-empty")).to_have_text("No review waits for your sign-off.")
    schedule.get_by_role("link", name="Schedule the review for Kai Brennan").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{cast.case.pk}/reviews/new/")
