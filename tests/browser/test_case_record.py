"""Journeys 3 to 9 in a real browser: hold the case, keep the network, log contacts (one restricted),
change the case holder, read the chronology, find the child, close and reopen; the psychologist's
consultation; the network's teacher sees the summary and no contacts.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, CaseStatus, Contact, NetworkMember
from cases.services import network_member_remove
from tests.browser.support import look, page_without_javascript, sign_in, sign_out, visit
from tests.conftest import Cast


def take_the_teacher_out_of_the_network(cast: Cast) -> None:
    """The cast starts with the teacher in Kai's network; these journeys add her themselves."""
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True)
    network_member_remove(member=member, actor=cast.case_manager)


def banner(page: Page) -> Any:
    return page.locator(".govuk-notification-banner--success")


def case_nav(page: Page, name: str) -> None:
    """Go to one of the case's pages through its sub-navigation."""
    page.get_by_role("navigation", name="Case").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("navigation", name="Case").locator('[aria-current="page"]')).to_have_text(name)


def error_summary(page: Page) -> Any:
    return page.locator(".govuk-error-summary")


def fill_yesterday_at(page: Page, clock: str) -> None:
    """The form starts at today's date; a fixed time today is in the future when the suite runs soon
    after midnight, so the journeys log what happened yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    group = page.get_by_role("group", name="Date of the contact")
    group.get_by_label("Day").fill(str(yesterday.day))
    group.get_by_label("Month").fill(str(yesterday.month))
    group.get_by_label("Year").fill(str(yesterday.year))
    page.get_by_label("Time").fill(clock)


def log_contact(page: Page, *, kind: str, with_whom: str, note: str, restricted: bool = False) -> None:
    page.get_by_role("link", name="Log a contact").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    fill_yesterday_at(page, "09:15")
    page.get_by_role("group", name="Type of contact").get_by_label(kind, exact=True).check()
    page.get_by_label("With whom").fill(with_whom)
    page.get_by_label("Duration in minutes").fill("40")
    page.get_by_label("Note", exact=True).fill(note)
    if restricted:
        page.get_by_label("This is a restricted note").check()
    page.get_by_role("button", name="Save the contact").click()
    expect(banner(page)).to_contain_text("Contact logged")


def test_a_case_manager_holds_the_case_from_contacts_to_closure(page: Page, live_server: Any, cast: Cast) -> None:
    take_the_teacher_out_of_the_network(cast)
    case_url = f"/cases/{cast.case.pk}/"
    sign_in(page, live_server, cast.case_manager.username, name="case record - case manager")

    # Find: the caseload and a search.
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    look(page, "case record - my caseload")
    page.get_by_label("Search for a child").fill("Brennan")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table")).to_contain_text("LOC-100231")
    look(page, "case record - search results")
    page.get_by_label("Search for a child").fill("Nobody Atall")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No children found")).to_be_visible()
    look(page, "case record - search empty")

    visit(page, live_server, case_url, "case record - case page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")

    # Keep the child's details current (on the case's Details page).
    case_nav(page, "Details")
    page.get_by_role("link", name="Change Kai's details").click()
    look(page, "case record - change the child's details")
    page.get_by_role("group", name="Is the child looked after?").get_by_label("Looked after (in care)").check()
    page.get_by_label("School, college or training (optional)").fill("Fernbrook Academy")
    page.get_by_role("button", name="Save the details").click()
    expect(banner(page)).to_contain_text("Kai's details are saved")
    expect(page.get_by_role("list", name="Status and flags")).to_contain_text("Looked after")

    # Contacts: an empty form explains itself, then one ordinary and one restricted contact.
    case_nav(page, "Overview")
    page.get_by_role("link", name="Log a contact").click()
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Save the contact").click()
    expect(error_summary(page).get_by_role("link", name="Date of the contact must include a day")).to_be_visible()
    expect(error_summary(page).get_by_role("link", name="Choose the type of contact")).to_be_visible()
    look(page, "case record - contact form errors")
    error_summary(page).get_by_role("link", name="Choose the type of contact").click()
    expect(page.get_by_role("group", name="Type of contact").get_by_label("Face to face")).to_be_focused()
    page.go_back()

    visit(page, live_server, f"{case_url}contacts/", "case record - contacts (empty)")
    log_contact(page, kind="Home visit", with_whom="Kai and his mother", note="Kai showed me his new bike.")
    log_contact(
        page,
        kind="Phone",
        with_whom="Kai",
        note="Kai told me about an older boy who asks him to carry parcels.",
        restricted=True,
    )
    expect(page.locator("article")).to_have_count(2)
    expect(page.get_by_text("Restricted", exact=True)).to_be_visible()
    look(page, "case record - contacts")

    # A correction keeps the original note.
    page.get_by_role("link", name=re.compile(r"^Add a correction to the home visit contact")).click()
    look(page, "case record - add a correction")
    page.get_by_label("Correction or addition").fill("The bike was a birthday present from his uncle.")
    page.get_by_label("Why does the note need correcting?").fill("Where the bike came from was left out")
    page.get_by_role("button", name="Add the correction").click()
    expect(page.get_by_text("Kai showed me his new bike.")).to_be_visible()
    expect(page.get_by_text("The bike was a birthday present from his uncle.")).to_be_visible()
    expect(page.get_by_text("Where the bike came from was left out")).to_be_visible()
    look(page, "case record - contact with correction")

    # Network: add the teacher with sharing.
    visit(page, live_server, case_url, "case record - case page with contacts")
    case_nav(page, "Network")
    page.get_by_role("link", name="Add a professional").click()
    look(page, "case record - add to network")
    page.get_by_label("Search by name or e-mail address").fill("helen")
    page.get_by_role("button", name="Search").click()
    look(page, "case record - network search results")
    page.get_by_role("link", name="Choose Helen Marsh").click()
    look(page, "case record - network choose the teacher")
    page.get_by_label("Role in the child's network").fill("Designated teacher")
    page.get_by_label("They may see the shared summary of this case").check()
    page.get_by_role("button", name="Add to the network").click()
    expect(banner(page)).to_contain_text("Helen Marsh is in the network and may see the shared summary")
    network = page.locator("#network").locator("..")
    expect(network.get_by_role("table")).to_contain_text("Designated teacher")
    look(page, "case record - network with the teacher")
    assert NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True).may_see_summary

    # Chronology: as the holder, Sam sees the restricted line.
    case_nav(page, "Chronology")
    expect(page.get_by_role("heading", level=2, name="Chronology")).to_be_visible()
    expect(page.get_by_text("Phone with Kai (restricted note)")).to_be_visible()
    look(page, "case record - chronology")
    page.get_by_text("Kinds of entry").click()
    page.get_by_label("Network change").check()
    page.get_by_role("button", name="Filter").click()
    # She joined once when the cast was made and again in this journey: the newest line comes first.
    expect(
        page.get_by_text("Helen Marsh (Designated teacher, Fernbrook Academy) joined the network").first
    ).to_be_visible()
    expect(page.get_by_text("Home visit with Kai and his mother")).to_have_count(0)
    look(page, "case record - chronology filtered")

    # Hand the case to Priya: Sam stops being the holder, so the restricted line leaves his chronology.
    visit(page, live_server, f"{case_url}details/", "case record - case page before the holder change")
    page.get_by_role("link", name="Change case holder").click()
    look(page, "case record - change case holder")
    page.get_by_role("button", name="Change the case holder").click()
    expect(error_summary(page).get_by_role("link", name="Choose the new case holder")).to_be_visible()
    look(page, "case record - change case holder errors")
    page.get_by_label("New case holder").select_option(label="Priya Nandra")
    page.get_by_label("Reason for the change").fill("Sam is moving to the court team.")
    page.get_by_role("button", name="Change the case holder").click()
    expect(banner(page)).to_contain_text("Priya Nandra now holds the case")
    expect(page.get_by_role("table", name=re.compile("Everyone who has held this case"))).to_contain_text(
        "Sam is moving to the court team."
    )
    look(page, "case record - case page after the holder change")
    visit(page, live_server, f"{case_url}chronology/", "case record - chronology as a former holder")
    expect(page.get_by_text("Phone with Kai (restricted note)")).to_have_count(0)

    # Close (with a first try that misses the reason), then reopen.
    visit(page, live_server, f"{case_url}details/", "case record - case page before closing")
    page.get_by_role("link", name="Close the case").click()
    look(page, "case record - close the case")
    page.get_by_label("Outcome summary").fill("Kai is back in school full time.")
    page.get_by_role("button", name="Close the case").click()
    expect(error_summary(page).get_by_role("link", name="Choose the reason for closing the case")).to_be_visible()
    expect(page.get_by_label("Outcome summary")).to_have_value("Kai is back in school full time.")
    look(page, "case record - close the case errors")
    page.get_by_label("Goals met: the network can carry on without ECM").check()
    page.get_by_label("Ending plan (safety net)").fill("Kai and his mother can text Priya for three months.")
    page.get_by_role("button", name="Close the case").click()
    expect(banner(page)).to_contain_text("The case is closed")
    expect(page.get_by_role("heading", name="Closure")).to_be_visible()
    look(page, "case record - closed case")
    assert Case.objects.get(pk=cast.case.pk).status == CaseStatus.CLOSED

    page.get_by_role("link", name="Reopen the case").click()
    look(page, "case record - reopen the case")
    page.get_by_label("Why is the case reopening?").fill("Kai was arrested again; the network asked for ECM.")
    page.get_by_role("button", name="Reopen the case").click()
    expect(banner(page)).to_contain_text("The case is open again")
    look(page, "case record - reopened case")
    assert Case.objects.get(pk=cast.case.pk).status == CaseStatus.OPEN
    assert Contact.objects.filter(case=cast.case).count() == 2

    # The teacher sees the summary, and nothing from contacts.
    sign_out(page, live_server)
    sign_in(page, live_server, cast.teacher.username, name="case record - teacher")
    page.get_by_role("link", name="Kai Brennan").first.click()
    expect(page.get_by_text("You are seeing the shared summary of this case")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Priya Nandra")
    expect(page.get_by_role("main")).not_to_contain_text("bike")
    expect(page.get_by_role("main")).not_to_contain_text("parcels")
    expect(page.get_by_role("link", name=re.compile("^Contacts"))).to_have_count(0)
    look(page, "case record - teacher shared summary")
    visit(page, live_server, f"{case_url}contacts/", "case record - teacher refused contacts", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")


def test_the_psychologist_logs_a_consultation_from_the_ecm_cases_list(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.psychologist.username, name="consultation - psychologist")
    page.get_by_role("link", name="ECM cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ECM cases")
    look(page, "consultation - ecm cases")
    page.get_by_role("table").get_by_role("link", name="Kai Brennan").click()
    page.get_by_role("link", name="Log a consultation").click()
    look(page, "consultation - form")
    page.get_by_label("Who attended").fill("Sam Okafor (case manager), Helen Marsh (designated teacher)")
    page.get_by_label("The question brought").fill("Kai walks out of lessons when challenged. What helps?")
    page.get_by_label("Advice given").fill("A named adult, a quiet space and the same routine every day.")
    page.get_by_label("Minutes spent").fill("60")
    page.get_by_role("button", name="Save the consultation").click()
    expect(banner(page)).to_contain_text("Consultation logged")
    expect(page.get_by_role("main")).to_contain_text("A named adult, a quiet space")
    look(page, "consultation - logged")
    page.get_by_role("link", name="Back to consultations").click()
    expect(page.get_by_role("table")).to_contain_text("Kai walks out of lessons")
    look(page, "consultation - list")


def test_adding_a_professional_and_a_contact_work_without_javascript(
    new_context: Any, live_server: Any, cast: Cast
) -> None:
    take_the_teacher_out_of_the_network(cast)
    page = page_without_javascript(new_context)
    sign_in(page, live_server, cast.case_manager.username, name="case record no javascript")
    visit(page, live_server, f"/cases/{cast.case.pk}/network/add/", "case record no javascript - add to network")
    page.get_by_label("Full name").fill("Dr Imogen Vale")
    page.get_by_label("Agency, if not listed").fill("Avon Community Paediatrics")
    page.get_by_label("E-mail", exact=True).fill("imogen.vale@example.org")
    page.get_by_label("Role in the child's network").fill("Community paediatrician")
    page.get_by_role("button", name="Add to the network").click()
    expect(banner(page)).to_contain_text("Dr Imogen Vale is in the network")
    look(page, "case record no javascript - network")

    # Share the summary with the teacher, then take it back; and take Dr Vale out of the network.
    page.get_by_role("link", name="Add a professional").click()
    page.get_by_label("Search by name or e-mail address").fill("Marsh")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Choose Helen Marsh").click()
    page.get_by_label("They may see the shared summary of this case").check()
    page.get_by_role("button", name="Add to the network").click()
    page.get_by_role("link", name="Change sharing for Helen Marsh").click()
    look(page, "case record no javascript - change sharing")
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save").click()
    expect(banner(page)).to_contain_text("Helen Marsh no longer sees the shared summary")
    page.get_by_role("link", name="Remove Dr Imogen Vale").click()
    look(page, "case record no javascript - remove from the network")
    page.get_by_role("button", name="Remove from the network").click()
    expect(banner(page)).to_contain_text("Dr Imogen Vale is no longer in the network")
    expect(page.locator("#network").locator("..").get_by_role("table")).not_to_contain_text("Dr Imogen Vale")
    look(page, "case record no javascript - network after changes")

    case_nav(page, "Overview")
    page.get_by_role("link", name="Log a contact").click()
    fill_yesterday_at(page, "16:00")
    page.get_by_label("School visit").check()
    page.get_by_label("With whom").fill("Kai and Helen Marsh")
    page.get_by_label("Note", exact=True).fill("Kai read his poem to the class.")
    page.get_by_role("button", name="Save the contact").click()
    expect(banner(page)).to_contain_text("Contact logged")
    look(page, "case record no javascript - contacts")
