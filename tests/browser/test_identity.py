"""Identity journeys in a real browser: setting up two-factor sign-in from the typed key, signing in
with a security code and with a recovery code, new recovery codes, and a forgotten password.

Every page is screenshotted and checked with axe (support.look).
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect

from accounts import mfa
from tests.browser.support import app_code, enter_security_code, look, sign_in, sign_out, submit_password, visit
from tests.conftest import Cast
from tests.mfa import totp_code_for, totp_device_for

NEW_PASSWORD = "lantern-orchard-quietly-47"  # noqa: S105 - invented


def test_a_psychologist_sets_up_two_factor_sign_in_from_the_typed_key_then_signs_in_with_a_code(
    page: Page, live_server: Any, cast: Cast
) -> None:
    visit(page, live_server, "/accounts/sign-in/", "identity - sign-in")
    submit_password(page, cast.psychologist.username)

    # No authenticator yet: straight to set-up, with the QR code and the key typed out.
    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/accounts/two-factor/set-up/")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr_code = page.get_by_test_id("qr-code")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")  # the CSP let the data: image in
    code_field = page.get_by_label("Security code")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    look(page, "identity - set up two-factor sign-in")

    typed_key = page.get_by_test_id("otp-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", typed_key.strip())
    code_field.fill("000000" if app_code(typed_key) != "000000" else "111111")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is not right")
    look(page, "identity - set up, wrong code")
    time.sleep(1.1)  # django-otp makes a second guess wait a second

    page.get_by_label("Security code").fill(app_code(typed_key))
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("These codes are shown only once")).to_be_visible()
    look(page, "identity - recovery codes shown once")
    page.get_by_role("button", name="I have kept my codes safe: continue").click()
    expect(page).to_have_url(live_server.url + "/")

    # "Your account" shows it, and gives new recovery codes for the current code.
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_test_id("codes-left")).to_have_text("10 left")
    look(page, "identity - your account")
    page.get_by_role("link", name="Get new codes").click()
    page.get_by_label("Security code").fill(totp_code_for(cast.psychologist))
    look(page, "identity - new recovery codes, code asked")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    sign_out(page, live_server)

    # Next time: the password, then the code from the app.
    visit(page, live_server, "/accounts/sign-in/", "identity - sign-in again")
    submit_password(page, cast.psychologist.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    look(page, "identity - enter your security code")
    enter_security_code(page, live_server, cast.psychologist.username)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("banner")).to_contain_text("Alex Morgan")
    look(page, "identity - signed in with a security code")


def test_a_case_manager_without_their_phone_signs_in_with_a_recovery_code(
    page: Page, live_server: Any, cast: Cast
) -> None:
    totp_device_for(cast.case_manager)
    codes = mfa.recovery_codes_issue(user=cast.case_manager, actor=cast.case_manager)

    visit(page, live_server, "/accounts/sign-in/", "recovery - sign-in")
    submit_password(page, cast.case_manager.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_role("link", name="Use a recovery code instead").click()
    look(page, "recovery - use a recovery code")
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("You have 9 recovery codes left")).to_be_visible()
    look(page, "recovery - signed in with a recovery code")
    assert mfa.mfa_history(cast.case_manager).filter(pgh_label="mfa.recovery_code_used").count() == 1


def test_a_forgotten_password_is_reset_by_email_and_the_code_is_still_asked(
    page: Page, live_server: Any, cast: Cast
) -> None:
    totp_device_for(cast.senior_practitioner)
    visit(page, live_server, "/accounts/sign-in/", "forgotten - sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    look(page, "forgotten - reset your password")

    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    look(page, "forgotten - no address")
    page.get_by_label("Email address").fill(cast.senior_practitioner.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    look(page, "forgotten - check your email")

    assert len(mail.outbox) == 1
    found = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", str(mail.outbox[0].body))
    assert found is not None
    page.goto(live_server.url + found.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    look(page, "forgotten - choose a new password")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This password is too short")
    look(page, "forgotten - password too short")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    look(page, "forgotten - password changed")

    # Not signed in by the link: the new password, then the security code.
    page.get_by_role("button", name="Sign in").click()
    submit_password(page, cast.senior_practitioner.username, NEW_PASSWORD)
    enter_security_code(page, live_server, cast.senior_practitioner.username)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("banner")).to_contain_text("Jordan Reeve")

    # The link worked once.
    sign_out(page, live_server)
    page.goto(live_server.url + found.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    look(page, "forgotten - link used")


def test_sign_in_helper_still_lands_on_home(page: Page, live_server: Any, cast: Cast) -> None:
    """The helper every browser test uses goes through the second step (support.sign_in)."""
    sign_in(page, live_server, cast.commissioner.username, name="identity - commissioner")
    assert mfa.has_confirmed_device(cast.commissioner)
