"""Journeys 1 and 2 in a real browser: refer a child, keep a draft through a reload and a lost
session, override missing consent, and triage the referral into a case.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case
from referrals.models import Referral, ReferralStatus
from tests.browser import support
from tests.browser.support import look, page_without_javascript, sign_in, visit
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD, make_case
from tests.factories import child as make_child
from tests.referrals.helpers import draft_referral, submitted_referral


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def test_a_case_manager_refers_a_new_child_through_to_submission(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="refer - case manager")
    visit(page, live_server, "/referrals/", "refer - my referrals (empty)")
    expect(page.get_by_test_id("my-referrals-empty")).to_be_visible()

    page.get_by_role("link", name="Refer a child").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the child?")
    look(page, "refer - who is the child")
    page.get_by_role("button", name="Continue").click()
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name="Enter the child's first name")
    ).to_be_visible()
    look(page, "refer - who is the child (errors)")

    page.get_by_label("First name").fill("Jay")
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_label("Day").fill("8")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2011")
    page.get_by_label("NHS number or local reference (optional)").fill("LOC-880123")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About Jay Okonjo")
    look(page, "refer - about the child")
    page.get_by_role("group", name="Gender").get_by_label("Boy or young man").check()
    page.get_by_role("group", name="Ethnic group").get_by_label("Black, Black British, Caribbean or African").check()
    page.get_by_role("group", name="Is the child looked after?").get_by_label("Looked after (in care)").check()
    page.get_by_role("group", name="Legal status or order").get_by_label("Referral order").check()
    page.get_by_label("Area the child lives in (optional)").fill("Eastfield")
    page.get_by_label("School, college or training (optional)").fill("Fernbrook Academy")
    page.get_by_role("button", name="Start the referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral for Jay Okonjo")
    look(page, "refer - draft task list")

    page.get_by_role("link", name="Why you are referring").click()
    look(page, "refer - section reasons")
    page.get_by_label("Why are you referring this child to ECM?").fill(
        "Jay has moved placement three times this year and was arrested twice in a month."
    )
    save_and_continue(page)
    page.get_by_label("Exploitation (criminal or sexual)").check()
    page.get_by_label("Family or social context (for example domestic abuse, bereavement)").check()
    look(page, "refer - section needs")
    save_and_continue(page)
    page.get_by_label("What are the current risks, to the child and to others?").fill(
        "Criminal exploitation by older peers; carrying a knife reported by school."
    )
    save_and_continue(page)
    page.get_by_label("Which agencies are involved now?").fill("School, children's social care, CAMHS waiting list.")
    page.get_by_label("What has been tried so far, and what happened?").fill("Mentoring; a reparation plan.")
    save_and_continue(page)
    page.get_by_label("Urgent: risk is rising now").check()
    look(page, "refer - section urgency")
    save_and_continue(page)

    # Consent is not recorded yet: the check page says what is missing and links to it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent")
    page.get_by_role("link", name="Back to the referral").click()
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    look(page, "refer - check answers (consent missing)")
    summary.get_by_role("link", name=re.compile("^Record the child's and the parent's or carer's consent")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent")

    page.get_by_role("group", name="Has the child consented to the referral?").get_by_label("Given").check()
    page.get_by_role("group", name="Has a parent or carer consented to the referral?").get_by_label("Given").check()
    page.get_by_label("The consent covers sharing information").check()
    page.get_by_label("Who gave consent?").fill("Jay and his foster carer, Ann Lowe")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    consent_date = page.get_by_role("group", name="When was consent given?")
    consent_date.get_by_label("Day").fill(str(yesterday.day))
    consent_date.get_by_label("Month").fill(str(yesterday.month))
    consent_date.get_by_label("Year").fill(str(yesterday.year))
    look(page, "refer - section consent")
    save_and_continue(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before you submit the referral")
    look(page, "refer - check answers")
    page.get_by_role("button", name="Submit referral").click()

    expect(page.get_by_text("Referral submitted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral for Jay Okonjo")
    look(page, "refer - submitted referral")
    referral = Referral.objects.get(child__reference="LOC-880123")
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.urgency == "urgent"

    visit(page, live_server, "/referrals/", "refer - my referrals")
    expect(page.get_by_test_id("my-referrals")).to_contain_text("Waiting for triage")


def test_a_match_in_another_service_is_hinted_at_and_the_referrer_confirms(
    page: Page, live_server: Any, cast: Cast
) -> None:
    ellis = make_child(given_name="Ellis", family_name="Carter", date_of_birth=dt.date(2009, 11, 23))
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=ellis)
    sign_in(page, live_server, cast.case_manager.username, name="hidden match - case manager")
    visit(page, live_server, "/referrals/new/", "hidden match - who is the child")
    page.get_by_label("First name").fill("Ellis")
    page.get_by_label("Last name").fill("Carter")
    page.get_by_label("Day").fill("23")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2009")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_test_id("record-elsewhere")).to_contain_text(
        "A record for this child may already exist in another service. Contact the ECM team before you go on."
    )
    expect(page.get_by_role("main")).not_to_contain_text("BANES")
    look(page, "hidden match - warning")
    page.get_by_role("button", name="Continue with a new record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm you have checked")
    look(page, "hidden match - confirmation missing")
    page.get_by_label(re.compile("^I have checked")).check()
    page.get_by_role("button", name="Continue with a new record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About Ellis Carter")


def look_while_time_runs(page: Page, name: str) -> None:
    """support.look with the page's clock running: axe waits on timers, which a paused clock never fires."""
    page.clock.resume()
    look(page, name)
    pause_clock(page)


def pause_clock(page: Page) -> None:
    """Stop the page's clock a second from its now."""
    page.clock.pause_at(dt.datetime.fromtimestamp(page.evaluate("Date.now()") / 1000 + 1, tz=dt.UTC))


def test_a_draft_survives_a_reload_and_a_lost_session_through_autosave(
    page: Page, live_server: Any, cast: Cast
) -> None:
    referral = draft_referral(cast)
    section = live_server.url + f"/referrals/{referral.pk}/reasons/"
    sign_in(page, live_server, cast.case_manager.username, name="autosave - case manager")
    # From here the page's clock is the test's: autosave's 20-second timer fires only when moved on.
    page.clock.install()
    pause_clock(page)
    page.goto(section)
    look_while_time_runs(page, "autosave - empty section")
    reasons = page.get_by_label("Why are you referring this child to ECM?")

    # Typed, not saved, and the page is reloaded: the text comes back from this tab's storage.
    reasons.fill("Kept through a reload: placements broke down twice")
    page.reload()
    expect(reasons).to_have_value("Kept through a reload: placements broke down twice")
    expect(page.get_by_text("We have put back what you typed on this page")).to_be_visible()
    look_while_time_runs(page, "autosave - restored after reload")

    # Twenty seconds on, the draft is posted to the server.
    with page.expect_response(re.compile(r"/autosave/$")) as autosaved:
        page.clock.run_for(21_000)
    assert autosaved.value.status == 204
    expect(page.get_by_text(re.compile(r"^Draft saved at"))).to_be_visible()
    referral.refresh_from_db()
    assert referral.reasons == "Kept through a reload: placements broke down twice"

    # The session is lost mid-form: autosave is refused, the text stays in the tab.
    page.context.clear_cookies(name="sessionid")
    reasons.fill("Kept through a lost session: placements broke down twice, and school excluded him")
    with page.expect_response(re.compile(r"/autosave/$")) as refused:
        page.clock.run_for(21_000)
    assert refused.value.status == 401
    expect(page.get_by_text(re.compile("^You have been signed out"))).to_be_visible()
    support.forget_expected_problems(page, r"^401 for .*/autosave/$")

    # Saving sends them to sign in; next= brings them back, and nothing typed is lost.
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    page.get_by_label("Username").fill(cast.case_manager.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    support.enter_security_code(page, live_server, cast.case_manager.username)
    expect(page).to_have_url(section)
    expect(reasons).to_have_value("Kept through a lost session: placements broke down twice, and school excluded him")
    look_while_time_runs(page, "autosave - restored after signing in again")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft has been saved.")).to_be_visible()
    referral.refresh_from_db()
    assert referral.reasons.startswith("Kept through a lost session")

    # Saved: the tab's copy is gone, so the page shows the server's copy and no notice.
    page.goto(section)
    expect(page.get_by_text("We have put back what you typed on this page")).to_be_hidden()
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('ecm-autosave:'))") == []


def test_a_covering_senior_practitioner_records_a_consent_override(page: Page, live_server: Any, cast: Cast) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    sign_in(page, live_server, cast.senior_practitioner.username, name="override - senior practitioner")
    visit(page, live_server, f"/referrals/{referral.pk}/consent-override/", "override - form")
    page.get_by_role("button", name="Record the consent override").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for the override")
    look(page, "override - errors")
    page.get_by_label("Why can the referral go ahead without full consent?").fill(
        "Jay is 17 and consents; his carer cannot be reached and the risk is rising now."
    )
    page.get_by_role("button", name="Record the consent override").click()
    expect(page.get_by_test_id("consent-override")).to_contain_text("Recorded by Jordan Reeve")
    look(page, "override - recorded")
    referral.refresh_from_db()
    assert referral.consent_complete


def test_a_psychologist_triages_a_referral_to_formulation_and_the_case_appears(
    page: Page, live_server: Any, cast: Cast
) -> None:
    referral = submitted_referral(cast, child=make_child(given_name="Jay", family_name="Okonjo"))
    sign_in(page, live_server, cast.psychologist.username, name="triage - psychologist")
    visit(page, live_server, "/referrals/triage/", "triage - queue")
    queue = page.get_by_test_id("triage-queue")
    expect(queue).to_contain_text("Jay Okonjo")
    expect(queue).to_contain_text("Sam Okafor")

    queue.get_by_role("link", name="Jay Okonjo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral for Jay Okonjo")
    look(page, "triage - referral")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a decision")
    look(page, "triage - decision errors")

    page.get_by_label("Formulation: open an ECM case").check()
    page.get_by_label("Psychologist").select_option(label="Alex Morgan")
    page.get_by_label("Senior practitioner").select_option(label="Jordan Reeve")
    look(page, "triage - formulation chosen")
    page.get_by_role("button", name="Record the decision").click()

    case = Case.objects.get(child=referral.child)
    expect(page).to_have_url(live_server.url + f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jay Okonjo")
    expect(page.get_by_text("Decision recorded for Jay Okonjo")).to_be_visible()
    look(page, "triage - the case")
    visit(page, live_server, "/referrals/triage/", "triage - queue (empty)")
    expect(page.get_by_test_id("triage-queue-empty")).to_be_visible()


def test_triage_works_without_javascript(new_context: Any, live_server: Any, cast: Cast) -> None:
    referral = submitted_referral(cast, child=make_child(given_name="Ruby", family_name="Ashdown"))
    page = page_without_javascript(new_context)
    sign_in(page, live_server, cast.senior_practitioner.username, name="no javascript - triage")
    visit(page, live_server, f"/referrals/{referral.pk}/", "no javascript - triage referral")
    # Without JavaScript the follow-up questions of every decision are simply all shown.
    page.get_by_label("Not accepted", exact=True).check()
    page.get_by_label("Why is the referral not accepted?").fill("Needs are met by the current plan.")
    page.get_by_label("Where could the referrer turn instead?").fill("Local CAMHS single point of access.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(live_server.url + "/referrals/triage/")
    expect(page.get_by_text("Decision recorded for Ruby Ashdown: Not accepted.")).to_be_visible()
    look(page, "no javascript - triage recorded")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_ACCEPTED
