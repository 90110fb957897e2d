"""The TRM stage chart and the goal chart in a real browser: as wide as their column, text at least 14 px
at desktop width, monthly labels, and no sideways scroll on a 390 px phone. axe checks each page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page

from tests.browser.support import PHONE, page_width_at_phone, sign_in, visit
from tests.conftest import Cast
from tests.factories import stage_journey_for
from trm_stages.services import goal_rate, goal_set

# The rendered size of each text of an SVG: its font size times the SVG's scale on screen.
TEXT_SIZES = """(selector) => {
  const svg = document.querySelector(selector);
  const sizes = [...svg.querySelectorAll("text")].map(
    (text) => parseFloat(text.getAttribute("font-size")) * text.getScreenCTM().a
  );
  return {sizes, width: svg.getBoundingClientRect().width,
          months: [...svg.querySelectorAll("text[data-month]")].map((text) => text.textContent)};
}"""


def test_the_charts_are_readable_at_desktop_width_and_fit_a_phone(page: Page, live_server: Any, cast: Cast) -> None:
    stage_journey_for(cast)  # 90, 50 and 10 days ago
    today = timezone.localdate()
    goal = goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text="Play for the under-16s",
        set_by="Kai with Sam",
        set_on=today - dt.timedelta(days=120),
        start_score=2,
    )
    goal_rate(goal=goal, actor=cast.case_manager, rated_on=today, score=7, context="other")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, cast.psychologist.username, name="charts - psychologist")

    visit(page, live_server, f"/cases/{cast.case.pk}/stage/", "charts - stage history")
    stage = page.evaluate(TEXT_SIZES, 'svg[aria-labelledby^="stage-chart"]')
    assert stage["width"] >= 600, stage["width"]
    assert min(stage["sizes"]) >= 14, stage
    assert len(stage["months"]) >= 3, stage["months"]  # about three months of assessments

    visit(page, live_server, f"/cases/{cast.case.pk}/goals/", "charts - goals")
    goals = page.evaluate(TEXT_SIZES, 'svg[aria-labelledby$="-desc"]:not([aria-labelledby^="stage-chart"])')
    assert goals["sizes"] and min(goals["sizes"]) >= 14, goals

    for path in (f"/cases/{cast.case.pk}/stage/", f"/cases/{cast.case.pk}/goals/"):
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + path)
        width, offenders = page_width_at_phone(page)
        assert width <= PHONE["width"], offenders
