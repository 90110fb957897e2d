"""Rectification in a real browser: the case manager corrects Kai's date of birth with a statement
(first forgetting it), sees the original kept beside the correction, and the designated teacher the
summary is shared with is told, without the child's name or the dates.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from cases.models import Child
from cases.reminders import RectificationNotice
from reviews.reminders import reminders_deliver, reminders_sweep
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast


def test_a_case_manager_corrects_a_date_of_birth_and_the_teacher_is_told(
    page: Page, live_server: Any, cast: Cast
) -> None:
    child = Child.objects.get(pk=cast.case.child_id)
    original = f"{child.date_of_birth.day} {child.date_of_birth:%B %Y}"
    case_url = f"/cases/{cast.case.pk}/"
    sign_in(page, live_server, cast.case_manager.username, name="rectification - case manager")
    visit(page, live_server, f"{case_url}details/", "rectification - case page")
    page.get_by_role("link", name="Correct a mistake in Kai's details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct a mistake in Kai's details")
    look(page, "rectification - the form")

    group = page.get_by_role("group", name="Date of birth")
    group.get_by_label("Day").fill("3")
    group.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save the correction").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the details were wrong")
    look(page, "rectification - the statement is required")
    summary.get_by_role("link", name="Enter why the details were wrong").click()
    expect(page.get_by_label("Why were the details wrong?")).to_be_focused()

    page.get_by_label("Why were the details wrong?").fill("Date of birth was typed wrongly at referral")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corrections to Kai's details")
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Date of birth"))).to_contain_text(original)
    expect(table.get_by_role("row", name=re.compile("Date of birth"))).to_contain_text(
        f"3 February {child.date_of_birth.year}"
    )
    expect(page.get_by_text("Date of birth was typed wrongly at referral")).to_be_visible()
    look(page, "rectification - the original kept beside the correction")

    visit(page, live_server, f"{case_url}chronology/", "rectification - chronology")
    expect(page.get_by_text(re.compile("Details corrected: date of birth"))).to_be_visible()
    sign_out(page, live_server)

    # What beat would do within the quarter hour: the sweep writes the notice down, delivery sends it.
    reminders_sweep(sources=[RectificationNotice()])
    reminders_deliver()

    sign_in(page, live_server, cast.teacher.username, name="rectification - teacher")
    page.get_by_test_id("notifications-link").click()
    rows = page.get_by_test_id("notification")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("A correction was made to a child's record shared with you")
    expect(rows.first).not_to_contain_text("Kai")
    expect(rows.first).not_to_contain_text("Brennan")
    expect(rows.first).not_to_contain_text(original)
    look(page, "rectification - the teacher's notification")
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
    look(page, "rectification - the shared summary")
    visit(page, live_server, f"{case_url}chronology/", "rectification - the teacher's chronology")
    expect(page.get_by_text("A correction was made to the child's details")).to_be_visible()
    expect(page.get_by_text(re.compile("typed wrongly"))).to_have_count(0)
