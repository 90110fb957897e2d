"""The sequencing hint, "the right thing at the right time", shown as soon as an intervention or a stage
is chosen (static/ecm/sequencing.js), before anything is sent; the server still insists on submit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast
from tests.formulation.report_support import record_stage, started


def test_choosing_an_intervention_above_the_childs_stage_shows_the_hint_before_submitting(
    page: Page, live_server: Any, cast: Cast
) -> None:
    record_stage(cast, 2)
    report = started(cast)
    sign_in(page, live_server, cast.psychologist.username, name="sequencing - psychologist")
    url = f"/cases/{cast.case.pk}/formulation/{report.pk}/recommendations/add/"
    visit(page, live_server, url, "sequencing - recommendation form")
    hint = page.locator("[data-sequencing-hint]")
    expect(hint).to_be_empty()

    page.get_by_label("Intervention type (optional)").select_option(
        label="Cognitive behavioural therapy (CBT) (from stage 4)"
    )
    expect(hint).to_contain_text("has not crossed the cognitive readiness threshold")
    expect(hint).to_contain_text("Say why it is right now in the justification.")
    expect(hint.locator(".govuk-warning-text")).to_be_visible()
    look(page, "sequencing - hint shown for CBT at stage 2")

    # Back to no intervention and a stage the child has reached: no hint.
    page.get_by_label("Intervention type (optional)").select_option(label="None of these")
    page.get_by_label("Stage 2", exact=False).check()
    expect(hint).to_be_empty()
    # A later stage by itself brings it back.
    page.get_by_label("Stage 5", exact=False).check()
    expect(hint).to_contain_text("This suits children from stage 5; the child is at stage 2")

    # Still enforced on submit.
    page.get_by_label("What is recommended?").fill("Plan for college with the careers adviser.")
    page.get_by_label("Who will do it?").select_option(label="Helen Marsh (Designated teacher, Fernbrook Academy)")
    due = timezone.localdate() + dt.timedelta(days=42)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Add the recommendation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a justification to recommend it now.")
    assert not report.recommendations.exists()
    look(page, "sequencing - still enforced on submit")
