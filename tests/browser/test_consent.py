"""Consent over time in a real browser (issue 17): the case manager records that Kai's mother withdrew consent to
share his summary (the form first comes back with the GOV.UK error summary), the teacher in his network loses the
summary at once (404), and the Network page says why.

Every page reached is screenshotted, checked for failed loads, checked with axe and at 390 px (support.look).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast


def test_a_withdrawal_of_consent_ends_a_partners_access(
    page: Page, new_context: Any, live_server: Any, cast: Cast
) -> None:
    case = f"/cases/{cast.case.pk}/"
    teacher = new_context().new_page()
    sign_in(teacher, live_server, cast.teacher.username, name="consent - teacher")
    visit(teacher, live_server, case, "consent - teacher sees the summary")

    sign_in(page, live_server, cast.case_manager.username, name="consent - case manager")
    visit(page, live_server, f"{case}details/", "consent - the consent panel")
    expect(page.get_by_test_id("consent-panel")).to_contain_text("No consent has been recorded")
    page.get_by_role("link", name="Record a withdrawal of consent").click()
    look(page, "consent - withdrawal form")

    page.get_by_role("group", name="Who withdrew it?").get_by_label("A parent or carer").check()
    page.get_by_role("button", name="Record the withdrawal").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the parent's or carer's name and their relationship to the child")
    expect(summary).to_contain_text("Choose what it is for")
    expect(page.get_by_role("group", name="Who withdrew it?").get_by_label("A parent or carer")).to_be_checked()
    look(page, "consent - withdrawal form with errors")

    withdrawn_on = timezone.localdate() - dt.timedelta(days=30)
    page.get_by_label("Their name and relationship to the child").fill("Jo Brennan, mother")
    page.get_by_role("group", name="How was it withdrawn?").get_by_label("On a signed consent form").check()
    page.get_by_label("Sharing the case summary with the child's professional network").check()
    when = page.get_by_role("group", name="When was it withdrawn?")
    when.get_by_label("Day").fill(str(withdrawn_on.day))
    when.get_by_label("Month").fill(str(withdrawn_on.month))
    when.get_by_label("Year").fill(str(withdrawn_on.year))
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("no longer sees the shared summary")
    expect(page.get_by_test_id("sharing-stopped")).to_be_visible()
    look(page, "consent - withdrawal recorded")

    visit(page, live_server, f"{case}network/", "consent - network page says why")
    on = dateformat.format(withdrawn_on, "j F Y")
    expect(page.get_by_test_id("sharing-stopped")).to_contain_text(f"Sharing stopped: consent withdrawn on {on}")

    # The teacher's next request: the summary is gone, as if it had never been shared.
    visit(teacher, live_server, case, "consent - teacher refused", status=404)
