"""The case overview (issue 16): what is going on with Kai at a glance and "Log a contact" on the first screen,
the rest of the record on sub-pages under the case's sub-navigation, and the success message where the
person lands after a change. Every sub-page is looked at (screenshot, clean load, axe) at 1280 px and
measured at 390 px (no sideways scrolling of the page).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case
from cases.services import network_member_add
from formulation.services import meeting_schedule
from tests.browser.support import PHONE, PHONE_WIDTH, SCREENSHOTS, look, page_width_at_phone, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import log_contact, signed_off_report
from tests.formulation.helpers import WINTER_DAY, gp_invitee, uk_time
from trm_stages.services import stage_assessment_record, thrive_grouping_set

DESKTOP = {"width": 1280, "height": 800}

# The case's pages under its sub-navigation: (link, path after /cases/<id>/, screenshot name).
SUB_PAGES = (
    ("Contacts", "contacts/", "contacts"),
    ("Chronology", "chronology/", "chronology"),
    ("Network", "network/", "network"),
    ("Plan and actions", "plan/", "plan and actions"),
    ("TRM and goals", "trm/", "trm and goals"),
    ("Meetings and reviews", "meetings-and-reviews/", "meetings and reviews"),
    ("Details", "details/", "details"),
)


def kai_some_months_in(cast: Cast) -> None:
    """Kai's case after a formulation ten weeks ago: clinicians allocated, a stage, THRIVE, contacts (one
    restricted), a meeting to come, two agreed actions (one overdue) and a review overdue."""
    today = timezone.localdate()
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    for days_ago, stage in ((60, 1), (20, 2), (6, 2)):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=today - dt.timedelta(days=days_ago),
            stage_number=stage,
            evidence="Seen at school and at home",
            source="review",
        )
    thrive_grouping_set(
        case=cast.case,
        actor=cast.case_manager,
        grouping="getting_help",
        applies_from=today - dt.timedelta(days=30),
        reason="Needs regular sessions",
    )
    log_contact(cast.case, cast.case_manager, days_ago=9)
    log_contact(cast.case, cast.case_manager, days_ago=3, restricted=True, note="Kai told me about his cousin.")
    meeting_schedule(
        case=cast.case,
        actor=cast.senior_practitioner,
        purpose="formulation",
        starts_at=uk_time(WINTER_DAY, 10),
        ends_at=uk_time(WINTER_DAY, 11),
        invitees=[gp_invitee()],
        location="Fernbrook Academy",
    )
    signed_off_report(
        cast,
        signed_off_at=timezone.now() - dt.timedelta(weeks=10),
        recommendations=[
            {
                "text": "A daily check-in with Ms Marsh",
                "suits_from_stage": 1,
                "owner": cast.teacher,
                "owner_agency": cast.school,
                "due_on": today - dt.timedelta(days=2),
            },
            {
                "text": "Weekly one-to-one sessions with Sam",
                "suits_from_stage": 2,
                "owner": cast.case_manager,
                "owner_agency": cast.bristol,
                "due_on": today + dt.timedelta(days=20),
            },
        ],
    )
    network_member_add(
        case=cast.case, actor=cast.case_manager, name="Dr Imogen Vale", role="Paediatrician", agency_name="Avon GP"
    )


def assert_fits_a_phone(page: Page, name: str) -> None:
    width, offenders = page_width_at_phone(page)
    assert width <= PHONE_WIDTH, f"{name} is {width} px wide at {PHONE_WIDTH} px: {offenders}"


def test_the_overview_puts_what_is_going_on_and_log_a_contact_on_the_first_screen(
    page: Page, live_server: Any, cast: Cast
) -> None:
    kai_some_months_in(cast)
    case_url = f"/cases/{cast.case.pk}/"
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    sign_in(page, live_server, cast.case_manager.username, name="overview - case manager")

    visit(page, live_server, case_url, "overview - case manager")
    overview = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
    nav = page.get_by_role("navigation", name="Case")
    expect(nav.locator('[aria-current="page"]')).to_have_text("Overview")
    for text in (
        "Sam Okafor",  # the case holder
        "Alex Morgan",  # the psychologist
        "Jordan Reeve",  # the senior practitioner
        "Stage 2:",
        "(20 days)",  # in stage 2 since the first of its two assessments
        "Getting help",
        "3 days ago",  # the last contact
        "Formulation meeting",  # the next meeting
        "1 overdue",  # of the open actions
    ):
        expect(overview).to_contain_text(text)
    expect(overview.get_by_text("Overdue", exact=True).first).to_be_visible()  # the review
    restricted = page.get_by_role("list", name="Status and flags").get_by_text("Restricted notes")
    expect(restricted).to_have_class("govuk-tag govuk-tag--grey")  # neutral, not an error's red

    # The most frequent action, first and on the first screen; closing the case is not beside it.
    actions = page.locator(".govuk-button-group").first
    expect(actions.get_by_role("link").first).to_have_text("Log a contact")
    box = page.get_by_role("link", name="Log a contact").bounding_box()
    assert box is not None and box["y"] + box["height"] < DESKTOP["height"], f"Log a contact at {box}"
    expect(page.get_by_role("link", name="Close the case")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nOverview at 1280 px: {height} px tall; 'Log a contact' at y = {box['y']:.0f} px")
    print(f"Screenshots: {SCREENSHOTS}/overview-*.png")

    # Every sub-page: reached from the sub-navigation, marked current, looked at.
    for link, suffix, name in SUB_PAGES:
        page.get_by_role("navigation", name="Case").get_by_role("link", name=link, exact=True).click()
        expect(page).to_have_url(f"{live_server.url}{case_url}{suffix}")
        expect(page.get_by_role("navigation", name="Case").locator('[aria-current="page"]')).to_have_text(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Kai Brennan")
        look(page, f"overview - {name}")
    expect(page.get_by_role("link", name="Close the case")).to_be_visible()  # on the Details page, at its foot
    visit(page, live_server, f"{case_url}consultations/", "overview - consultations")
    expect(page.get_by_role("navigation", name="Case").locator('[aria-current="page"]')).to_have_text("Contacts")

    # A change to the network lands on the network page, the success message at its top.
    visit(page, live_server, f"{case_url}network/", "overview - network before the change")
    page.get_by_role("link", name="Remove Dr Imogen Vale").click()
    look(page, "overview - remove from the network")
    page.get_by_role("button", name="Remove from the network").click()
    expect(page).to_have_url(f"{live_server.url}{case_url}network/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    banner_box = banner.bounding_box()
    assert banner_box is not None and banner_box["y"] < DESKTOP["height"], f"the banner is at {banner_box}"
    look(page, "overview - network after the change")

    # On a phone: the overview and every sub-page fit the screen.
    page.set_viewport_size(PHONE)
    for suffix, name in [("", "overview"), *((suffix, name) for _, suffix, name in SUB_PAGES)]:
        visit(page, live_server, f"{case_url}{suffix}", f"overview - {name} at 390")
        assert_fits_a_phone(page, name)
    sign_out(page, live_server)


def test_the_network_sees_the_shared_summary_on_one_page(page: Page, live_server: Any, cast: Cast) -> None:
    kai_some_months_in(cast)
    case_url = f"/cases/{cast.case.pk}/"
    page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    sign_in(page, live_server, cast.teacher.username, name="overview - teacher")
    visit(page, live_server, case_url, "overview - shared summary")
    expect(page.get_by_text("You are seeing the shared summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Professional network")).to_be_visible()
    nav = page.get_by_role("navigation", name="Case")
    # The network's tabs: the documents shared with it too (issue 17).
    expect(nav.get_by_role("link")).to_have_text(["Overview", "Chronology", "Network", "Documents"])
    expect(page.get_by_role("link", name="Log a contact")).to_have_count(0)
    expect(page.get_by_text("Restricted notes")).to_have_count(0)
    visit(page, live_server, f"{case_url}plan/", "overview - plan refused to the network", status=403)
