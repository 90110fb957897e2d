"""No lost words (issue 16): every long text is kept while it is typed and comes back.

- Contact notes survive a session that times out: saving sends the person to sign in, next= brings
  them back to the form, the text is restored with a notice, and the save then goes through.
- A review step and meeting notes come back after leaving the page, with a way to discard them.
- The formulation editor merges per part between two people, and shows both only where both wrote.
- Leaving the editor by a link saves first: the report page shows the new text without a reload.

Every page reached is looked at (screenshot, clean load, axe).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from cases.models import Contact
from formulation.models import FormulationReport, Meeting
from reviews.models import Review
from tests.browser import support
from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD
from tests.formulation.helpers import school_meeting
from tests.formulation.report_support import second_psychologist, started
from tests.reviews.review_helpers import REVIEW_DAY, SCHEDULED_ON, formulated, scheduled_review

RESTORED = re.compile(r"^We restored what you typed on \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d\.$")


def drafts(page: Page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('ecm-draft:'))")


def status_line(page: Page) -> Any:
    return page.locator("form [data-autosave-status]").first


def assert_sticky(page: Page) -> None:
    status = status_line(page)
    expect(status).to_have_attribute("aria-live", "polite")
    assert status.evaluate("element => getComputedStyle(element).position") == "sticky"


def sign_in_again(page: Page, live_server: Any, username: str) -> None:
    """The sign-in page met after a time-out: password, then the security code if the person has one."""
    needs_code = support.ready_for_second_factor(username)
    support.submit_password(page, username, TEST_PASSWORD)
    if needs_code:
        support.enter_security_code(page, live_server, username)


def test_contact_notes_survive_a_session_time_out(page: Page, live_server: Any, cast: Cast) -> None:
    form_url = f"/cases/{cast.case.pk}/contacts/add/"
    sign_in(page, live_server, cast.case_manager.username, name="autosave contact - case manager")
    visit(page, live_server, form_url, "autosave contact - form")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    group = page.get_by_role("group", name=re.compile("^Date"))
    group.get_by_label("Day").fill(str(yesterday.day))
    group.get_by_label("Month").fill(str(yesterday.month))
    group.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time").fill("09:15")
    page.get_by_role("group", name="Type of contact").get_by_label("Face to face", exact=True).check()
    page.get_by_label("With whom").fill("Kai and his mother")
    page.get_by_label("Duration in minutes").fill("40")
    note = "Kai showed me the bike he is fixing. He wants to ride it to school on Monday."
    page.get_by_label("Note", exact=True).fill(note)
    expect(status_line(page)).to_contain_text("kept in this browser")
    assert_sticky(page)

    # The session times out while the note is being written; saving meets the sign-in page.
    Session.objects.all().delete()
    page.get_by_role("button", name="Save the contact").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    sign_in_again(page, live_server, cast.case_manager.username)

    # next= brings Sam back to the form, and what was typed is there, with a notice.
    expect(page).to_have_url(live_server.url + form_url)
    expect(page.get_by_label("Note", exact=True)).to_have_value(note)
    expect(page.get_by_label("With whom")).to_have_value("Kai and his mother")
    expect(page.get_by_text(RESTORED)).to_be_visible()
    expect(page.get_by_role("button", name="Discard what was restored")).to_be_visible()
    look(page, "autosave contact - restored after signing in again")

    page.get_by_role("button", name="Save the contact").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Contact logged")
    assert Contact.objects.filter(case=cast.case, note=note).count() == 1
    assert drafts(page) == []  # saved: the tab's copy is gone
    visit(page, live_server, form_url, "autosave contact - a fresh form")
    expect(page.get_by_label("Note", exact=True)).to_have_value("")
    expect(page.get_by_text(RESTORED)).to_have_count(0)


def test_what_is_typed_before_the_page_script_runs_is_not_replaced_by_an_older_copy(
    page: Page, live_server: Any, cast: Cast
) -> None:
    """A page slow to load its scripts (a slow connection, a busy server): the person types before the
    autosave script runs. Their typing wins over the tab's older copy, and is itself kept."""
    form_url = f"/cases/{cast.case.pk}/contacts/add/"
    sign_in(page, live_server, cast.case_manager.username, name="autosave slow script - case manager")
    visit(page, live_server, form_url, "autosave slow script - form")
    page.get_by_label("Note", exact=True).fill("An older note, never saved.")
    expect(status_line(page)).to_contain_text("kept in this browser")

    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/ecm/autosave.js*", hold)  # the script arrives only when released below
    page.goto(live_server.url + form_url, wait_until="commit")
    page.get_by_label("With whom").fill("Kai and his mother")
    page.get_by_label("Note", exact=True).fill("Typed while the page was still loading.")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page never asked for its autosave script"
    assert status_line(page).count() == 0  # the script has not run yet
    for route in held:
        route.continue_()
    expect(status_line(page)).to_contain_text("kept in this browser")  # the script ran and kept the typing
    expect(page.get_by_label("Note", exact=True)).to_have_value("Typed while the page was still loading.")
    expect(page.get_by_label("With whom")).to_have_value("Kai and his mother")
    expect(page.get_by_text(RESTORED)).to_have_count(0)  # nothing older was put back
    page.unroute("**/ecm/autosave.js*")

    # The typing is the tab's copy now: it comes back after a reload.
    page.reload()
    expect(page.get_by_label("Note", exact=True)).to_have_value("Typed while the page was still loading.")
    expect(page.get_by_text(RESTORED)).to_be_visible()
    look(page, "autosave slow script - the typing restored")


def test_a_review_step_comes_back_and_can_be_discarded(page: Page, live_server: Any, cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast, day=REVIEW_DAY, scheduled_on=SCHEDULED_ON)
    started_at = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=review.meeting_id).update(
        starts_at=started_at, ends_at=started_at + dt.timedelta(hours=2)
    )
    review = Review.objects.get(pk=review.pk)
    attendance_url = f"{review.get_absolute_url()}attendance/"

    sign_in(page, live_server, cast.senior_practitioner.username, name="autosave review - senior practitioner")
    visit(page, live_server, attendance_url, "autosave review - attendance")
    notes = page.get_by_label(re.compile("^Notes"))
    notes.fill("Kai joined for the last twenty minutes and spoke about football.")
    assert_sticky(page)

    # Jordan leaves the step without saving, and comes back: the notes are there.
    visit(page, live_server, review.get_absolute_url(), "autosave review - the review")
    visit(page, live_server, attendance_url, "autosave review - attendance restored")
    expect(notes).to_have_value("Kai joined for the last twenty minutes and spoke about football.")
    expect(page.get_by_text(RESTORED)).to_be_visible()

    # Discarding puts the page's own text back and forgets the copy.
    page.get_by_role("button", name="Discard what was restored").click()
    expect(notes).to_have_value("")
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    expect(status_line(page)).to_have_text("What was restored has been discarded.")
    assert drafts(page) == []
    look(page, "autosave review - discarded")


def test_meeting_notes_come_back_after_a_reload_and_are_forgotten_once_saved(
    page: Page, live_server: Any, cast: Cast
) -> None:
    meeting = school_meeting(cast, timezone.now() + dt.timedelta(days=1))
    start = timezone.now() - dt.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    record_url = f"/cases/{cast.case.pk}/meetings/{meeting.pk}/attendance/"

    sign_in(page, live_server, cast.senior_practitioner.username, name="autosave meeting - senior practitioner")
    visit(page, live_server, record_url, "autosave meeting - attendance and notes")
    page.get_by_label("Notes of the meeting").fill("The network agreed Ms Marsh is Kai's key adult at school.")
    page.reload()
    expect(page.get_by_label("Notes of the meeting")).to_have_value(
        "The network agreed Ms Marsh is Kai's key adult at school."
    )
    expect(page.get_by_text(RESTORED)).to_be_visible()
    look(page, "autosave meeting - notes restored")
    page.get_by_role("group", name=re.compile("^Helen Marsh")).get_by_label("Attended", exact=True).check()
    page.get_by_role("button", name="Save attendance and notes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Attendance and notes saved")
    assert drafts(page) == []
    meeting.refresh_from_db()
    assert meeting.notes == "The network agreed Ms Marsh is Kai's key adult at school."


def test_two_people_edit_different_parts_of_the_report_and_neither_is_lost(
    page: Page, new_context: Any, live_server: Any, cast: Cast
) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    edit = f"/cases/{cast.case.pk}/formulation/{report.pk}/edit/"
    other = new_context().new_page()
    support.watch(other.context)

    sign_in(page, live_server, cast.psychologist.username, name="merge - Alex")
    sign_in(other, live_server, colleague.username, name="merge - Morgan")
    visit(page, live_server, edit, "merge - Alex's editor")
    visit(other, live_server, edit, "merge - Morgan's editor")
    assert_sticky(page)

    # Round 1: Alex writes the child's story and saves; Morgan, on the page opened before, writes
    # the strengths and saves: Alex's story is kept.
    page.get_by_label("The child's story", exact=True).fill("Alex: Kai has moved home four times.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved at")
    other.get_by_label("Strengths", exact=True).fill("Morgan: Kai is loyal to his friends.")
    other.get_by_role("button", name="Save draft").click()
    expect(other.locator(".govuk-notification-banner--success")).to_contain_text(
        "Changes someone else saved meanwhile to “The child's story” are kept"
    )
    expect(other.get_by_label("The child's story", exact=True)).to_have_value("Alex: Kai has moved home four times.")
    look(other, "merge - Morgan's save kept Alex's story")

    # Round 2: Alex saves again from a page whose strengths are the old ones: Morgan's stay.
    page.get_by_label("The child's story", exact=True).fill("Alex: Kai has moved home four times in five years.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved at")
    expect(page.get_by_label("Strengths", exact=True)).to_have_value("Morgan: Kai is loyal to his friends.")
    report.refresh_from_db()
    assert report.strengths == "Morgan: Kai is loyal to his friends."
    assert report.childs_story == "Alex: Kai has moved home four times in five years."

    # Both write the child's voice: the second to save sees both, and nothing is overwritten.
    other.reload()
    other.get_by_label("The child's own voice and goals", exact=True).fill("Morgan: Kai wants to stay at Fernbrook.")
    page.get_by_label("The child's own voice and goals", exact=True).fill("Alex: Kai wants to play for the under-16s.")
    other.get_by_role("button", name="Save draft").click()
    expect(other.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved at")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Compare “The child's own voice and goals”")
    expect(page.locator(".govuk-error-summary")).not_to_contain_text("Compare “Strengths”")
    expect(page.locator("#id_childs_voice-theirs")).to_contain_text("Morgan: Kai wants to stay at Fernbrook.")
    expect(page.get_by_label("The child's own voice and goals", exact=True)).to_have_value(
        "Alex: Kai wants to play for the under-16s."
    )
    look(page, "merge - both wrote the child's voice")
    report.refresh_from_db()
    assert report.childs_voice == "Morgan: Kai wants to stay at Fernbrook."
    assert report.strengths == "Morgan: Kai is loyal to his friends."
    other.context.close()


def test_leaving_the_editor_by_a_link_shows_the_new_text_on_the_next_page(
    page: Page, live_server: Any, cast: Cast
) -> None:
    report = started(cast)
    sign_in(page, live_server, cast.psychologist.username, name="leave editor - psychologist")
    visit(page, live_server, f"/cases/{cast.case.pk}/formulation/{report.pk}/edit/", "leave editor - editor")
    page.get_by_label("Underlying needs", exact=True).fill("Kai needs adults who stay, and a routine he can predict.")
    # The status line is in view at the top of a long page, not 4,000 pixels below it.
    status = status_line(page)
    expect(status).to_have_text("Not saved yet: your draft saves by itself within 20 seconds.")
    page.evaluate("window.scrollTo(0, 0)")
    box = status.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800
    assert page.evaluate("document.documentElement.scrollHeight") > 2000
    page.get_by_role("link", name="Back to the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulation report, version 1")
    expect(page.get_by_role("main")).to_contain_text("Kai needs adults who stay, and a routine he can predict.")
    look(page, "leave editor - the report shows the new text")
    assert FormulationReport.objects.get(pk=report.pk).underlying_needs.startswith("Kai needs adults who stay")
