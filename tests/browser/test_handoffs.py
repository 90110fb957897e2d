"""Hand-offs in a real browser: the psychologist sends her report for review; the senior practitioner finds
"A formulation report waits for your sign-off" in her notifications (no child named), follows it to the
report, is asked to confirm the sign-off because no formulation meeting was held, is refused without the
confirmation and signs off with it; the psychologist is then told it was signed off.

Every page reached is screenshotted, checked for failed loads, checked with axe and at 390 px (support.look).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from formulation.models import FormulationReport, ReportStatus
from reviews.reminders import reminders_deliver
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.formulation.report_support import written


def leave(page: Page, live_server: Any) -> None:
    page.wait_for_load_state("networkidle")
    sign_out(page, live_server)


def test_a_report_sent_for_review_reaches_the_senior_practitioner_who_confirms_the_sign_off(
    page: Page, live_server: Any, cast: Cast
) -> None:
    report = written(cast)
    sign_in(page, live_server, cast.psychologist.username, name="handoffs - psychologist")
    visit(page, live_server, report.get_absolute_url(), "handoffs - draft report")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 1 sent for review")
    look(page, "handoffs - sent for review")
    leave(page, live_server)

    reminders_deliver(seconds=30)  # what beat does every minute
    sign_in(page, live_server, cast.senior_practitioner.username, name="handoffs - senior practitioner")
    link = page.get_by_test_id("notifications-link")
    expect(link).to_have_text("Notifications (1 unread)")
    link.click()
    row = page.get_by_test_id("notification")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("A formulation report waits for your sign-off")
    expect(row).to_contain_text(f"case {cast.case.pk}")
    expect(row).not_to_contain_text("Kai")
    expect(row).not_to_contain_text("Brennan")
    look(page, "handoffs - notification waiting for sign-off")
    row.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulation report, version 1")
    look(page, "handoffs - the report from the notification")

    page.get_by_role("link", name="Sign off this version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign off version 1")
    expect(page.locator("#sign-off-warnings")).to_contain_text("No formulation meeting has been held on this case")
    look(page, "handoffs - sign-off asks for confirmation")
    page.get_by_role("button", name="Sign off version 1").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you sign this version off all the same")
    look(page, "handoffs - sign-off refused without confirmation")
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW
    page.get_by_label("I have weighed this and sign this version off all the same").check()
    page.get_by_role("button", name="Sign off version 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 1 signed off")
    look(page, "handoffs - signed off")
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.SIGNED_OFF
    leave(page, live_server)

    reminders_deliver(seconds=30)
    sign_in(page, live_server, cast.psychologist.username, name="handoffs - psychologist again")
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notification").first).to_contain_text("A formulation report was signed off")
    look(page, "handoffs - the author is told")
