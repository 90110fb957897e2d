"""Near-duplicates and merging in a real browser: the case manager finds Kai by a misspelt name; the senior
practitioner compares Kai's two records side by side, chooses the school, forgets the reason, gives it, merges;
the merged record's address leads to Kai's case, whose chronology tells of the merge.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from cases.models import Case
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import child, make_case


def test_a_near_duplicate_is_found_then_merged(page: Page, live_server: Any, cast: Cast) -> None:
    born = Case.objects.get(pk=cast.case.pk).child.date_of_birth
    twin = make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.colleague,
        child_record=child(given_name="Kay", family_name="Brenan", date_of_birth=born, school="Hillcrest School"),
    )
    sign_in(page, live_server, cast.case_manager.username, name="merge - case manager")
    visit(page, live_server, "/cases/search/?q=Brenan", "merge - search for Brenan")
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Kai Brennan")).to_be_visible()
    expect(results.get_by_role("row", name=re.compile("Kai Brennan"))).to_contain_text("Close match")
    look(page, "merge - Brenan finds Kai")
    sign_out(page, live_server)

    sign_in(page, live_server, cast.senior_practitioner.username, name="merge - senior practitioner")
    visit(page, live_server, f"/cases/{cast.case.pk}/details/", "merge - details")
    page.get_by_role("link", name="Merge another record of Kai into this case").click()
    look(page, "merge - possible records of the same child")
    page.get_by_role("link", name=re.compile("Compare with Kay Brenan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Compare and merge case {twin.pk} into case {cast.case.pk}"
    )
    look(page, "merge - side by side")
    for kept in page.get_by_label(re.compile(r"\(case \d+, kept\)")).all():  # this record's value of each detail
        kept.check()
    page.get_by_role("group", name="School, college or training").get_by_label(re.compile("Hillcrest School")).check()
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why these are records of the same child")
    look(page, "merge - the reason is required")
    page.get_by_label("Why are these records of the same child?").fill("Referred twice; the second spelt it Kay Brenan")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {twin.pk} merged into this case")
    look(page, "merge - the merge as it was done")

    visit(page, live_server, f"/cases/{twin.pk}/chronology/", "merge - the merged record leads to Kai's")
    assert page.url.endswith(f"/cases/{cast.case.pk}/chronology/")
    expect(page.get_by_text(re.compile("Records merged"))).to_be_visible()
