"""THRIVE grouping and Goal-Based Outcomes in a real browser: the case manager puts Kai in a THRIVE
grouping, sets a goal with Kai and its start rating, rates it again at a review and sees the chart.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast
from trm_stages.models import Goal, GoalRating, ThriveGrouping


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_the_case_manager_sets_the_grouping_and_a_goal_and_sees_its_ratings_charted(
    page: Page, live_server: Any, cast: Cast
) -> None:
    today = timezone.localdate()
    three_weeks_ago = today - dt.timedelta(days=21)
    sign_in(page, live_server, cast.case_manager.username, name="goals - case manager")

    # THRIVE grouping: an empty history, then the form with a hint under every radio.
    visit(page, live_server, f"/cases/{cast.case.pk}/thrive/", "goals - THRIVE grouping, none yet")
    expect(page.get_by_text("No THRIVE grouping has been recorded for Kai yet.")).to_be_visible()
    page.get_by_role("link", name="Set the THRIVE grouping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set the THRIVE grouping")
    page.get_by_role("button", name="Save the grouping").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the THRIVE grouping")
    look(page, "goals - THRIVE grouping errors")
    groupings = page.get_by_role("group", name="Which THRIVE grouping describes the child's needs now?")
    groupings.get_by_label("Getting more help").check()
    page.get_by_label("Reason").fill("Excluded from school; social care and CAMHS are now both involved.")
    look(page, "goals - THRIVE grouping form")
    page.get_by_role("button", name="Save the grouping").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "THRIVE grouping set to getting more help"
    )
    expect(page.get_by_role("table")).to_contain_text("Excluded from school")
    look(page, "goals - THRIVE grouping history")

    # A goal in Kai's words, set three weeks ago with a start rating.
    visit(page, live_server, f"/cases/{cast.case.pk}/goals/", "goals - no goals yet")
    expect(page.get_by_text("Kai has no open goals.")).to_be_visible()
    page.get_by_role("link", name="Set a goal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a goal")
    page.get_by_label("The goal, in the child's own words").fill("I want to go to football training every week")
    page.get_by_label("Who set the goal").fill("Kai with Sam Okafor")
    fill_date(page, "Date the goal was set", three_weeks_ago)
    page.get_by_label("Start rating: how close does the child feel to the goal now?").fill("12")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The score must be from 0 to 10")
    look(page, "goals - set a goal with an error")
    page.get_by_label("Start rating: how close does the child feel to the goal now?").fill("3")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Goal set with its start rating")
    look(page, "goals - one goal, one rating")

    # Rated again at a review: the chart now draws a line from 3 to 7.
    page.get_by_role("link", name="Rate goal 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate a goal")
    page.get_by_label("How close does the child feel to the goal now?").fill("7")
    page.get_by_role("group", name="When was the rating given?").get_by_label("At a review").check()
    page.get_by_label("Note (optional)").fill("Kai has been to four sessions in a row.")
    look(page, "goals - rate a goal")
    page.get_by_role("button", name="Save the rating").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Rating of 7 out of 10 saved")

    chart = page.get_by_role("img", name="Ratings of the open goals over time")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(1)
    expect(chart.locator("g > title")).to_have_count(2)  # one per rating (the key has its own marker)
    expect(page.get_by_role("table", name="Ratings of goal 1, oldest first")).to_contain_text("Kai has been to four")
    expect(page.get_by_text("up 4 since the start")).to_be_visible()
    look(page, "goals - goal rated twice, with the chart")

    thrive_grouping = ThriveGrouping.objects.get(case=cast.case)
    assert thrive_grouping.grouping == "getting_more_help" and thrive_grouping.recorded_by == cast.case_manager
    goal = Goal.objects.get(case=cast.case)
    assert goal.set_on == three_weeks_ago
    scores = list(GoalRating.objects.filter(goal=goal).order_by("rated_on").values_list("score", "context"))
    assert scores == [(3, "start"), (7, "review")]
