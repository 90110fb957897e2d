"""Notifications in a real browser: the psychologist sees her unread count, opens the list, marks
one read, marks the rest read and chooses her e-mails; another person's list stays their own.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.reminders import ReferralAwaitingTriage
from reviews.models import EmailPreference, Notification
from reviews.reminders import reminders_deliver, reminders_sweep
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.reviews.helpers import referral_submitted_on


def two_referrals_waited_too_long(cast: Cast) -> None:
    """What beat would have done by now: two Bristol referrals overdue, swept and delivered."""
    today = timezone.localdate()
    referral_submitted_on(cast, today - dt.timedelta(weeks=5))
    referral_submitted_on(cast, today - dt.timedelta(weeks=4))
    reminders_sweep(sources=[ReferralAwaitingTriage()])  # not the digest: it depends on the weekday
    reminders_deliver()


def nav_link(page: Page) -> Any:
    return page.get_by_test_id("notifications-link")


def test_a_psychologist_reads_her_notifications_and_chooses_her_emails(
    page: Page, live_server: Any, cast: Cast
) -> None:
    two_referrals_waited_too_long(cast)
    sign_in(page, live_server, cast.psychologist.username, name="notifications - psychologist")
    # GOV.UK's visually hidden text brings its own spacing into the accessible name.
    expect(page.get_by_role("link", name=re.compile(r"^Notifications \(2\s+unread\s*\)$"))).to_be_visible()
    expect(nav_link(page)).to_have_text("Notifications (2 unread)")

    nav_link(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    rows = page.get_by_test_id("notification")
    expect(rows).to_have_count(2)
    expect(page.locator(".govuk-tag", has_text="Unread")).to_have_count(2)
    expect(rows.first).to_contain_text("A referral has waited")
    expect(rows.first).not_to_contain_text(cast.case.child.family_name)
    look(page, "notifications - two unread")

    rows.first.get_by_role("button", name="Mark as read").click()
    expect(nav_link(page)).to_have_text("Notifications (1 unread)")
    expect(page.locator(".govuk-tag", has_text="Unread")).to_have_count(1)
    expect(page.get_by_test_id("unread-summary")).to_contain_text("You have 1 unread notification.")
    look(page, "notifications - one read")

    # The notification's link leads to the referral, through the access module as ever.
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral")
    look(page, "notifications - the referral it links to")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")

    page.get_by_role("link", name="Choose which e-mails you get").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your e-mail preferences")
    expect(page.get_by_label("Reminders")).to_be_checked()
    expect(page.get_by_label("The weekly digest")).to_be_checked()
    look(page, "notifications - e-mail preferences")
    page.get_by_label("The weekly digest").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your e-mail preferences have been saved."
    )
    expect(page.get_by_label("Reminders")).to_be_checked()
    expect(page.get_by_label("The weekly digest")).not_to_be_checked()
    look(page, "notifications - preferences saved")
    preference = EmailPreference.objects.get(user=cast.psychologist)
    assert (preference.send_email, preference.weekly_digest) == (True, False)

    page.get_by_role("link", name="Back to notifications").click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("All your notifications")
    expect(nav_link(page)).to_have_text("Notifications")
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    look(page, "notifications - all read")
    assert not Notification.objects.filter(recipient=cast.psychologist, read_at__isnull=True).exists()


def test_the_case_manager_has_her_own_empty_list(page: Page, live_server: Any, cast: Cast) -> None:
    two_referrals_waited_too_long(cast)
    sign_in(page, live_server, cast.case_manager.username, name="notifications - case manager")
    expect(nav_link(page)).to_have_text("Notifications")
    visit(page, live_server, "/notifications/", "notifications - case manager empty")
    expect(page.get_by_test_id("notifications-empty")).to_be_visible()
    assert Notification.objects.filter(recipient=cast.psychologist).count() == 2
    sign_out(page, live_server)
