"""Retention in a real browser: Jordan, the senior practitioner, opens "Retention reviews" from the navigation,
places a legal hold on a due record (anonymising is then refused), lifts it, reads what anonymising removes and
keeps, and anonymises the record. Every page is checked with axe (support.look)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, CaseStatus, Child
from data_rights.models import LegalHold, RetentionReview, RetentionStatus
from data_rights.retention_services import retention_reviews_list
from tests.browser.support import look, sign_in
from tests.conftest import Cast
from tests.factories import child, log_contact, make_case


def test_the_senior_practitioner_holds_lifts_and_anonymises_a_due_record(
    page: Page, live_server: Any, cast: Cast
) -> None:
    case = make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.case_manager,
        child_record=child(given_name="Rowan", family_name="Ashdown", date_of_birth=dt.date(2004, 6, 10)),
    )
    log_contact(case, cast.case_manager, with_whom="Rowan", note="Rowan told us about his new flat on Quarry Lane.")
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - dt.timedelta(days=7 * 366)
    )
    assert retention_reviews_list() == 1

    sign_in(page, live_server, cast.senior_practitioner.username, name="retention - senior practitioner")
    page.get_by_role("link", name="Retention reviews").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records due for retention review")
    expect(page.get_by_role("cell", name="RA")).to_be_visible()
    expect(page.get_by_text("Rowan")).to_have_count(0)
    look(page, "retention - the list")

    page.get_by_role("link", name=f"Case {case.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review")
    page.get_by_role("button", name="Place a legal hold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    look(page, "retention - hold errors")
    page.get_by_label("Reason").fill("Litigation hold from the council's solicitor")
    page.get_by_role("button", name="Place a legal hold").click()
    expect(page.get_by_text("A legal hold is in place", exact=True)).to_be_visible()
    expect(page.get_by_text("This record cannot be anonymised: a legal hold is in place.")).to_be_visible()
    expect(page.get_by_role("link", name="Anonymise", exact=True)).to_have_count(0)
    look(page, "retention - held")

    page.get_by_label("Reason").fill("The claim is settled")
    page.get_by_role("button", name="Lift the legal hold").click()
    expect(page.get_by_text("The legal hold is lifted")).to_be_visible()
    assert LegalHold.objects.get().lifted_at is not None

    page.get_by_role("link", name="Anonymise", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to anonymise this record?")
    expect(page.get_by_role("heading", name="What is removed")).to_be_visible()
    expect(page.get_by_role("heading", name="What is kept")).to_be_visible()
    look(page, "retention - confirm anonymising")
    page.get_by_role("button", name="Anonymise the record").click()
    expect(page.get_by_text(f"Case {case.pk} is anonymised")).to_be_visible()
    look(page, "retention - anonymised")
    assert Child.objects.get(pk=case.child_id).given_name == "Anonymised"
    assert RetentionReview.objects.get().status == RetentionStatus.ANONYMISED
