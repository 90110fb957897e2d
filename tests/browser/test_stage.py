"""The TRM stage in a real browser: the psychologist records a stage, then a move back (refused
without a note, then saved with one); the chart and its table show both; an administrator
publishes a new version of the reference data. axe checks every page (support.look)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from trm_stages.models import StageAssessment, TrmVersion


def fill_date(page: Page, day: dt.date) -> None:
    group = page.get_by_role("group", name="Date of the assessment")
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_the_psychologist_records_a_stage_and_a_move_back(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.psychologist.username, name="stage - psychologist")
    visit(page, live_server, f"/cases/{cast.case.pk}/trm/", "stage - case page before")
    expect(page.get_by_role("region", name="Trauma Recovery Model stage")).to_contain_text("No TRM stage")
    page.get_by_role("link", name="Record the child's stage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the child's stage")
    look(page, "stage - form")

    # With JavaScript, only the chosen stage's indicators show.
    page.get_by_label("Stage 3: Working through trauma").check()
    stage_three = page.locator('[data-indicators-for="3"]')
    expect(stage_three).to_be_visible()
    expect(page.locator('[data-indicators-for="5"]')).to_be_hidden()
    stage_three.get_by_role("checkbox").first.check()
    page.get_by_label("Readiness to build relationships with adults").check()
    page.get_by_label("Disclosure", exact=True).check()
    fill_date(page, timezone.localdate() - dt.timedelta(days=30))
    page.get_by_label("Evidence", exact=True).fill("Kai told Sam about the night he was moved from his nan's.")
    page.get_by_label("Formulation").check()
    page.get_by_role("button", name="Save the stage").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Stage 3 recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trauma Recovery Model stage")
    look(page, "stage - history after first")

    # A move back without a note is refused, and what was typed stays.
    page.get_by_role("link", name="Record the child's stage").click()
    page.get_by_label("Stage 2: Trust and relationship building").check()
    page.get_by_label("Evidence", exact=True).fill("Walked out of two sessions after the court date.")
    page.get_by_label("Review").check()
    page.get_by_role("button", name="Save the stage").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why the child has moved back")
    expect(page.get_by_label("Evidence", exact=True)).to_have_value("Walked out of two sessions after the court date.")
    look(page, "stage - move back refused")
    summary.get_by_role("link", name="Say why the child has moved back").click()
    expect(page.get_by_label("If the child has moved back, why?")).to_be_focused()
    page.get_by_label("If the child has moved back, why?").fill("The expected wobble after disclosure.")
    page.get_by_role("button", name="Save the stage").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Stage 2 recorded")

    table = page.get_by_role("table", name="Every stage assessment, newest first")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("Moved back")
    chart = page.get_by_role("img", name="TRM stage over time")
    expect(chart).to_be_visible()
    expect(chart.locator("polygon")).to_have_count(2)  # the move back and the key
    page.get_by_text("The chart as a table").click()
    expect(page.get_by_role("table", name="TRM stage at each assessment, oldest first")).to_contain_text("Moved back")
    look(page, "stage - history with move back")
    page.get_by_role("link", name=timezone.localdate().strftime("%-d %b %Y")).click()
    expect(page.get_by_role("main")).to_contain_text("The expected wobble after disclosure.")
    look(page, "stage - one assessment")

    visit(page, live_server, f"/cases/{cast.case.pk}/trm/", "stage - case page after")
    section = page.get_by_role("region", name="Trauma Recovery Model stage")
    expect(section).to_contain_text("Stage 2: Trust and relationship building")
    expect(section.get_by_role("img", name="TRM stage over time")).to_be_visible()
    assert StageAssessment.objects.filter(case=cast.case).count() == 2


def test_an_administrator_publishes_a_new_version(page: Page, live_server: Any, cast: Cast) -> None:
    sign_in(page, live_server, cast.administrator.username, name="trm reference - administrator")
    visit(page, live_server, "/trm/", "trm reference - version 1")
    page.get_by_role("link", name="Edit and publish a new version").click()
    look(page, "trm reference - publish form")
    page.get_by_role("group", name="Stage 6").get_by_label("Name").fill("Moving on, with a safety net")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what changed in this version")
    look(page, "trm reference - publish refused")
    page.get_by_label("What changed in this version").fill("Stage 6 renamed")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2")
    expect(page.get_by_role("main")).to_contain_text("Stage 6: Moving on, with a safety net")
    look(page, "trm reference - version 2")
    assert TrmVersion.objects.count() == 2
    sign_out(page, live_server)
