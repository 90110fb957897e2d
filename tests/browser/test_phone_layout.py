"""Phones: every page a person reaches is usable at 390 px without sideways scrolling of the page.

Each persona of the cast signs in on a 390 x 844 screen and follows the links their pages offer
(navigation, case pages, sub-pages, forms), as a person finding their way would. Every page is looked
at (screenshot, clean load, axe at 390) and measured: the page may not be wider than the screen; a
wide table scrolls inside its own box (`.ecm-table-scroll`). The widest page is written to
test-results/phone-layout.txt for the closing note.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.services import contact_log, network_member_add
from devtools.demo.seed import _goals_and_meeting, _report_draft, _stage_journey
from formulation.services import Invitee
from referrals.services import referral_save_draft, referral_start, referral_submit
from reviews.services.scheduling import review_schedule
from tests.browser.support import PHONE, PHONE_WIDTH, SCREENSHOTS, look, page_width_at_phone, sign_in, sign_out
from tests.case_documents.helpers import add_document
from tests.conftest import Cast
from tests.factories import child, signed_off_report

# Links a crawl must not follow: files, background-job status, the API, and leaving the service.
NOT_PAGES = re.compile(r"(\.(json|pdf|ics|csv)$|/download/|/status/|/retry/|^/api/|/sign-out|/logout|^/admin/)")
# Pages of the same kind (ids replaced) are looked at once, by the first persona who reaches them.
RECORD_ID = re.compile(r"/\d+(?=/)")
PAGES_PER_PERSONA = 45

LONG_NOTE = (
    "Met at the youth centre after school; talked about football, the week ahead and the argument at "
    "his nan's on Friday. Agreed to meet at the same time next week: text reminder the day before."
)


def a_busy_case(cast: Cast) -> None:
    """The cast's case with what a case has after some months: long words and e-mail addresses,
    contacts, a TRM journey, goals, a meeting, a report draft, agreed actions and a review; and a
    referral waiting for triage."""
    case, manager = cast.case, cast.case_manager
    network_member_add(
        case=case,
        actor=manager,
        name="Morgan Ellery-Featherstonehaugh",
        agency_name="Avonvale Children's Social Care and Early Help Partnership",
        role="Social worker (children in care)",
        email="morgan.ellery-featherstonehaugh@avonvale-childrens-services.invalid",
    )
    now = timezone.now()
    for days_ago, kind, whom, note, restricted in (
        (9, "face_to_face", "Kai", LONG_NOTE, False),
        (4, "phone", "Foster carer", "Carer shared a disclosure about an older cousin.", True),
    ):
        contact_log(
            case=case,
            actor=manager,
            occurred_at=now - dt.timedelta(days=days_ago),
            kind=kind,
            with_whom=whom,
            duration_minutes=45,
            note=note,
            restricted=restricted,
        )
    _stage_journey(case, cast.psychologist)
    _goals_and_meeting(case, referrer=manager, senior=cast.senior_practitioner, teacher=cast.teacher)
    signed_off_report(
        cast,
        signed_off_at=now - dt.timedelta(days=30),
        childs_story="Kai moved between three placements before he was twelve.",
        recommendations=[
            {
                "text": "A daily check-in with the designated teacher at the start of school, same time and place.",
                "owner": cast.teacher,
                "suits_from_stage": 2,
                "due_on": timezone.localdate() - dt.timedelta(days=3),
            },
        ],
    )
    _report_draft(case, psychologist=cast.psychologist, teacher=cast.teacher)
    add_document(case, manager, category="education", shared=True, description=f"Support plan: {LONG_NOTE}"[:300])
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=14), dt.time(14)))
    review_schedule(
        case=case,
        actor=cast.senior_practitioner,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        invitees=[
            Invitee(
                name=manager.get_full_name(),
                email=manager.email,
                role="Case manager",
                user=manager,
                agency=cast.bristol,
            )
        ],
        location="Meeting room 2, Bristol YJS",
    )
    referral = referral_start(
        child=child(given_name="Maximilian-Alexander", family_name="Worthington-Smythe", reference="LOC-100999"),
        referring_yjs=cast.bristol,
        actor=manager,
    )
    referral_save_draft(
        referral=referral,
        actor=manager,
        reasons="Repeated missing episodes and escalating violence at home; three placements in a year.",
        complex_needs=["exploitation", "mental_health"],
        current_risks="Criminal exploitation suspected.",
        agencies_involved="School, children's social care.",
        tried_before="Mentoring.",
        urgency="urgent",
        child_consent="given",
        carer_consent="given",
        consent_covers_sharing=True,
        consent_given_by="The child and their foster carer",
        consent_date=timezone.localdate(),
    )
    referral_submit(referral=referral, actor=manager)


def page_kind(path: str) -> str:
    return RECORD_ID.sub("/<id>", path)


def links_on(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(link => link.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.query or NOT_PAGES.search(parts.path):
            continue
        paths.append(parts.path)
    return paths


def crawl(
    page: Page,
    live_server: Any,
    persona: str,
    seen: set[str],
    widths: dict[str, tuple[int, list[str]]],
    problems: list[str],
) -> None:
    """Breadth first from home: every page kind not seen yet, up to PAGES_PER_PERSONA."""
    queue = ["/"]
    queued = {"/"}
    looked = 0
    while queue and looked < PAGES_PER_PERSONA:
        path = queue.pop(0)
        response = page.goto(live_server.url + path)
        assert response is not None
        if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        kind = page_kind(urlsplit(page.url).path)
        if kind not in seen:
            seen.add(kind)
            looked += 1
            try:
                look(page, f"phone - {persona} - {kind}")
            except AssertionError as problem:  # every page is measured; all problems are told at the end
                problems.append(f"{persona}: {problem}")
            widths[f"{persona} {page.url.removeprefix(live_server.url)}"] = page_width_at_phone(page)
        for link in links_on(page, live_server.url):
            if link not in queued and page_kind(link) not in seen:
                queued.add(link)
                queue.append(link)


def test_every_page_fits_a_phone_for_every_persona(page: Page, live_server: Any, cast: Cast) -> None:
    a_busy_case(cast)
    page.set_viewport_size(PHONE)
    seen: set[str] = set()
    widths: dict[str, tuple[int, list[str]]] = {}
    problems: list[str] = []
    for persona, user in cast.everyone().items():
        sign_in(page, live_server, user.username, name=f"phone - {persona}")
        page.set_viewport_size(PHONE)
        crawl(page, live_server, persona, seen, widths, problems)
        page.goto(live_server.url + "/")
        sign_out(page, live_server)

    widest = max(widths, key=lambda where: widths[where][0])
    report = [f"Widest page at 390 px: {widths[widest][0]} px ({widest}); {len(widths)} pages looked at."]
    for where, (width, offenders) in sorted(widths.items(), key=lambda item: -item[1][0]):
        report.append(f"{width:5d}  {where}")
        report += [f"         {offender}" for offender in offenders]
    (SCREENSHOTS.parent / "phone-layout.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    too_wide = [
        f"{where}: {width} px, {'; '.join(offenders)}"
        for where, (width, offenders) in widths.items()
        if width > PHONE_WIDTH
    ]
    assert not too_wide, "Pages wider than a 390 px phone (see test-results/phone-layout.txt):\n" + "\n".join(
        f"- {line}" for line in too_wide
    )
    assert not problems, "\n\n".join(problems)
    assert len(widths) > 40, f"the crawl reached only {len(widths)} pages"


def test_the_navigation_folds_behind_a_menu_button_on_a_phone(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.case_manager.username, name="phone menu - case manager")
    menu = page.get_by_role("button", name="Menu")
    caseload = page.get_by_role("navigation", name="Menu").get_by_role("link", name="My caseload")
    expect(menu).to_be_hidden()  # a wide screen lists the links
    expect(caseload).to_be_visible()

    page.set_viewport_size(PHONE)
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(caseload).to_be_hidden()
    look(page, "phone menu - closed")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(caseload).to_be_visible()
    look(page, "phone menu - open")
    assert page_width_at_phone(page)[0] <= PHONE_WIDTH
    caseload.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
