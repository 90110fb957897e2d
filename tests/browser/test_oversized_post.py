"""A post over the upload limit (issue 12): the GOV.UK page says the text was too long and nothing was
saved, and the browser's back button returns to the form with what was typed still in it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from playwright.sync_api import Page, expect

from cases.models import Contact
from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast


def test_text_too_long_to_save_is_still_in_the_form_after_going_back(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="oversized post")
    visit(page, live_server, f"/cases/{cast.case.pk}/contacts/add/", "oversized post - log a contact")
    page.get_by_label("Time").fill("09:15")
    page.get_by_role("group", name="Type of contact").get_by_label("Phone", exact=True).check()
    page.get_by_label("With whom").fill("Kai")
    page.get_by_label("Duration in minutes").fill("20")
    sentence = "Kai talked about his week at the boxing club and his new bike. "
    too_long = sentence * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // len(sentence) + 10)
    page.get_by_label("Note", exact=True).fill(too_long)

    page.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The text was too long to save")
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    look(page, "oversized post - too long")
    assert not Contact.objects.filter(case=cast.case).exists()

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    # The note is what would hurt to lose. (Chromium does not restore fields marked autocomplete="off",
    # like "With whom"; the page says to copy the text somewhere safe.)
    assert page.get_by_label("Note", exact=True).input_value() == too_long
