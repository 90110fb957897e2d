"""Goal-Based Outcomes: goals in the child's words, rated 0 to 10 from the start, at most three open."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, Visibility
from tests.clock import hold_today
from tests.conftest import Cast
from trm_stages.models import Goal, GoalRating, GoalStatus, RatingContext, ThriveGroupingChoice
from trm_stages.selectors import outcomes_for_case
from trm_stages.services import goal_close, goal_rate, goal_set, thrive_grouping_set

TODAY = timezone.localdate()
_held = hold_today(TODAY)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def new_goal(cast: Cast, text: str = "I want to get to school on time", days: int = 30, score: int = 3) -> Goal:
    return goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text=text,
        set_by="Kai with Sam Okafor",
        set_on=days_ago(days),
        start_score=score,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def date_parts(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


# Services


def test_a_goal_is_set_with_its_start_rating_and_a_chronology_line(cast: Cast) -> None:
    goal = new_goal(cast, score=2)
    assert goal.status == GoalStatus.OPEN and goal.recorded_by == cast.case_manager
    start = goal.ratings.get()
    assert (start.score, start.context, start.rated_on) == (2, RatingContext.START, goal.set_on)
    line = CaseEvent.objects.get(case=cast.case, kind=CaseEventKind.OUTCOMES)
    assert line.summary == "Goal set (Kai with Sam Okafor): “I want to get to school on time”, start rating 2 out of 10"
    assert line.visibility == Visibility.FULL and line.occurred_at.date() == goal.set_on
    assert line.link == f"/cases/{cast.case.pk}/goals/"
    goal_history = apps.get_model("trm_stages", "GoalHistory").objects.filter(pgh_obj_id=goal.pk).get()
    assert goal_history.pgh_label == "insert" and goal_history.pgh_context.metadata["user"] == cast.case_manager.pk
    assert apps.get_model("trm_stages", "GoalRatingHistory").objects.filter(pgh_obj_id=start.pk).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": "  "}, "text", "Enter the goal in the child's own words"),
        ({"set_by": ""}, "set_by", "Enter who set the goal, for example Kai with Sam Okafor"),
        ({"set_on": TODAY + dt.timedelta(days=1)}, "set_on", "The date the goal was set must be today or in the past"),
        ({"start_score": None}, "start_score", "Enter a score from 0 to 10"),
        ({"start_score": 11}, "start_score", "Enter a score from 0 to 10"),
        ({"start_score": -1}, "start_score", "Enter a score from 0 to 10"),
        ({"text": "a" * 501}, "text", "The goal must be 500 characters or fewer"),
    ],
)
def test_a_goal_needs_words_a_setter_a_past_date_and_a_start_score(
    cast: Cast, changes: dict, field: str, message: str
) -> None:
    fields: dict[str, Any] = {"text": "Go to football", "set_by": "Kai", "set_on": TODAY, "start_score": 4}
    fields.update(changes)
    with pytest.raises(ValidationError) as error:
        goal_set(case=cast.case, actor=cast.case_manager, **fields)
    assert error.value.message_dict[field] == [message]
    assert not Goal.objects.exists() and not GoalRating.objects.exists()


def test_the_scores_0_and_10_are_both_allowed(cast: Cast) -> None:
    goal = new_goal(cast, score=0)
    goal_rate(goal=goal, actor=cast.psychologist, rated_on=TODAY, score=10, context=RatingContext.REVIEW)
    assert list(goal.ratings.values_list("score", flat=True)) == [0, 10]


def test_no_more_than_three_goals_are_open_at_once(cast: Cast) -> None:
    goals = [new_goal(cast, text=f"Goal number {number}") for number in range(1, 4)]
    with pytest.raises(ValidationError) as error:
        new_goal(cast, text="A fourth goal")
    assert error.value.message_dict[NON_FIELD_ERRORS] == [
        "Kai already has 3 open goals. Mark one as achieved or stopped before setting another"
    ]
    assert Goal.objects.filter(case=cast.case).count() == 3
    goal_close(goal=goals[0], actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=TODAY)
    fourth = new_goal(cast, text="A fourth goal")
    assert fourth.is_open and Goal.objects.filter(case=cast.case, status=GoalStatus.OPEN).count() == 3


def test_another_case_s_goals_do_not_count(cast: Cast) -> None:
    from tests.factories import child, make_case

    other = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(given_name="Mia"))
    for number in range(3):
        goal_set(case=other, actor=cast.colleague, text=f"Mia {number}", set_by="Mia", set_on=TODAY, start_score=5)
    assert new_goal(cast).is_open


@pytest.mark.django_db(transaction=True)
def test_two_goals_set_at_once_cannot_both_take_the_last_place(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """The case row is locked: the second transaction waits, then counts three open goals."""
    new_goal(cast, text="One")
    new_goal(cast, text="Two")
    # Widen the gap between counting the open goals and saving the new one, so without the lock
    # both transactions would count two and both would save.
    full_clean = Goal.full_clean

    def slow_full_clean(goal: Goal, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)
        full_clean(goal, *args, **kwargs)

    monkeypatch.setattr(Goal, "full_clean", slow_full_clean)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def set_one(text: str) -> None:
        try:
            barrier.wait()
            new_goal(cast, text=text)
            results.append("set")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=set_one, args=(text,)) for text in ("Three", "Also three")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "set"]
    assert Goal.objects.filter(case=cast.case, status=GoalStatus.OPEN).count() == 3


def test_a_goal_is_rated_again_with_a_date_a_context_and_a_chronology_line(cast: Cast) -> None:
    goal = new_goal(cast, days=30, score=3)
    rating = goal_rate(
        goal=goal, actor=cast.psychologist, rated_on=days_ago(2), score=6, context=RatingContext.REVIEW, note=" Better "
    )
    assert (rating.score, rating.note, rating.recorded_by) == (6, "Better", cast.psychologist)
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.OUTCOMES).order_by("-occurred_at").first()
    assert line is not None
    assert line.summary == "Goal rated 6 out of 10 at a review: “I want to get to school on time”"
    assert line.occurred_at.date() == days_ago(2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"score": None}, "score", "Enter a score from 0 to 10"),
        ({"score": 12}, "score", "Enter a score from 0 to 10"),
        ({"rated_on": TODAY + dt.timedelta(days=1)}, "rated_on", "The date of the rating must be today or in the past"),
        ({"rated_on": days_ago(31)}, "rated_on", "on or after"),
        ({"context": RatingContext.START}, "context", "Choose when the rating was given"),
    ],
)
def test_a_rating_needs_a_score_from_0_to_10_a_date_in_the_goal_s_life_and_a_context(
    cast: Cast, changes: dict, field: str, message: str
) -> None:
    goal = new_goal(cast, days=30)
    fields: dict[str, Any] = {"rated_on": TODAY, "score": 5, "context": RatingContext.OTHER}
    fields.update(changes)
    with pytest.raises(ValidationError) as error:
        goal_rate(goal=goal, actor=cast.case_manager, **fields)
    assert message in error.value.message_dict[field][0]
    assert goal.ratings.count() == 1


def test_a_rating_on_the_day_the_goal_was_set_is_allowed(cast: Cast) -> None:
    goal = new_goal(cast, days=30)
    goal_rate(goal=goal, actor=cast.case_manager, rated_on=days_ago(30), score=4, context=RatingContext.OTHER)
    assert goal.ratings.count() == 2


def test_a_closed_goal_can_no_longer_be_rated_nor_closed_again(cast: Cast) -> None:
    goal = new_goal(cast, days=30)
    goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.STOPPED, closed_on=days_ago(1), note="Moved on")
    with pytest.raises(ValidationError) as error:
        goal_rate(goal=goal, actor=cast.case_manager, rated_on=TODAY, score=5, context=RatingContext.OTHER)
    assert "can no longer be changed" in error.value.message_dict[NON_FIELD_ERRORS][0]
    with pytest.raises(ValidationError):
        goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=TODAY)
    goal.refresh_from_db()
    assert (goal.status, goal.closing_note, goal.closed_by) == (GoalStatus.STOPPED, "Moved on", cast.case_manager)


def test_closing_a_goal_needs_a_status_and_a_date_after_its_last_rating(cast: Cast) -> None:
    goal = new_goal(cast, days=30)
    goal_rate(goal=goal, actor=cast.case_manager, rated_on=days_ago(5), score=8, context=RatingContext.REVIEW)
    with pytest.raises(ValidationError) as error:
        goal_close(goal=goal, actor=cast.case_manager, status="open", closed_on=days_ago(6))
    assert error.value.message_dict["status"] == ["Choose whether the goal was achieved or stopped"]
    assert "when it was last rated" in error.value.message_dict["closed_on"][0]
    with pytest.raises(ValidationError) as error:
        goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=TODAY + dt.timedelta(1))
    assert error.value.message_dict["closed_on"] == ["The date the goal ended must be today or in the past"]
    goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=days_ago(5))
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.OUTCOMES).order_by("-pk").first()
    assert line is not None and line.summary == "Goal achieved: “I want to get to school on time”"
    labels = apps.get_model("trm_stages", "GoalHistory").objects.filter(pgh_obj_id=goal.pk).order_by("pgh_id")
    assert [row.pgh_label for row in labels] == ["insert", "update"]  # set, then closed: both kept


def test_a_long_goal_is_shortened_on_the_chronology_line(cast: Cast) -> None:
    new_goal(cast, text="I want " + "to keep going " * 30)
    line = CaseEvent.objects.get(case=cast.case, kind=CaseEventKind.OUTCOMES)
    assert "…”" in line.summary and len(line.summary) <= 300


# The selector for the case page


def test_outcomes_for_the_case_page_show_the_grouping_the_open_goals_and_the_chart(cast: Cast) -> None:
    thrive_grouping_set(
        case=cast.case,
        actor=cast.case_manager,
        grouping=ThriveGroupingChoice.GETTING_HELP,
        applies_from=days_ago(20),
        reason="Weekly sessions",
    )
    achieved = new_goal(cast, text="Sleep before midnight", days=60, score=1)
    goal_close(goal=achieved, actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=days_ago(40))
    goal = new_goal(cast, days=30, score=3)
    goal_rate(goal=goal, actor=cast.case_manager, rated_on=days_ago(2), score=7, context=RatingContext.REVIEW)
    outcomes = outcomes_for_case(case=cast.case)
    assert outcomes.thrive is not None and outcomes.thrive.applies_from == days_ago(20)
    assert [summary.goal for summary in outcomes.open_goals] == [goal]
    summary = outcomes.open_goals[0]
    assert summary.number == 2  # goals keep their number on the case
    assert summary.start is not None and summary.start.score == 3
    assert summary.latest is not None and summary.latest.score == 7 and summary.change == 4
    assert outcomes.closed_goal_count == 1 and outcomes.room_for_goal
    assert "Goal 2" in outcomes.chart.svg and "Sleep before midnight" not in outcomes.chart.svg


def test_outcomes_for_the_case_page_take_three_queries_however_many_goals_and_ratings(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    thrive_grouping_set(
        case=cast.case, actor=cast.case_manager, grouping="getting_help", applies_from=days_ago(50), reason="Weekly"
    )
    for number in range(12):
        goal = new_goal(cast, text=f"Goal {number}", days=50)
        for days in (40, 30, 20, 10):
            goal_rate(goal=goal, actor=cast.case_manager, rated_on=days_ago(days), score=days // 5, context="review")
        if number < 9:
            goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.ACHIEVED, closed_on=days_ago(5))
    with django_assert_num_queries(3):
        outcomes = outcomes_for_case(case=cast.case)
        assert len(outcomes.open_goals) == 3 and outcomes.chart.rating_count == 15
        for summary in outcomes.open_goals:
            assert summary.latest is not None and summary.latest.recorded_by.get_full_name() == "Sam Okafor"


# Pages


def goal_form(**overrides: str) -> dict[str, str]:
    data = {
        "text": "I want to go to football training every week",
        "set_by": "Kai with Sam Okafor",
        **date_parts("set_on", days_ago(14)),
        "start_score": "3",
        "start_note": "Kai said he went once last month",
    }
    data.update(overrides)
    return data


def test_the_case_manager_sets_rates_and_closes_a_goal_through_the_pages(cast: Cast) -> None:
    client = signed_in(cast.case_manager)
    base = f"/cases/{cast.case.pk}/goals/"
    empty = client.get(base).content.decode()
    assert "Kai has no open goals." in empty and "Set a goal" in empty
    response = client.post(base + "add/", goal_form())
    assert response.status_code == 302 and response["Location"] == base
    goal = Goal.objects.get(case=cast.case)
    assert goal.ratings.get().note == "Kai said he went once last month"

    rate = client.get(base + f"{goal.pk}/rate/").content.decode()
    assert "I want to go to football training every week" in rate and "Ratings so far" in rate
    response = client.post(
        base + f"{goal.pk}/rate/", {**date_parts("rated_on", TODAY), "score": "6", "context": "review"}
    )
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "Rating of 6 out of 10 saved" in page
    assert "<svg" in page and 'role="img"' in page and "up 3 since the start" in page
    assert "Rate goal 1" in page and "Mark goal 1 as achieved or stopped" in page

    response = client.post(
        base + f"{goal.pk}/close/", {"status": "achieved", **date_parts("closed_on", TODAY), "note": "He goes weekly"}
    )
    assert response.status_code == 302
    page = client.get(base).content.decode()
    assert "Goal marked achieved" in page and "Achieved on" in page and "He goes weekly" in page
    assert "Kai has no open goals." in page


def test_the_goal_forms_show_gov_uk_errors(cast: Cast) -> None:
    client = signed_in(cast.psychologist)
    base = f"/cases/{cast.case.pk}/goals/"
    text = client.post(base + "add/", goal_form(text="", set_by="", start_score="eleven")).content.decode()
    assert "There is a problem" in text
    assert "Enter the goal in the child&#x27;s own words" in text
    assert "Enter who set the goal, for example Kai with Sam Okafor" in text
    assert "The score must be a whole number from 0 to 10" in text
    text = client.post(base + "add/", goal_form(start_score="")).content.decode()
    assert "Enter a score from 0 to 10" in text
    text = client.post(base + "add/", goal_form(start_score="14")).content.decode()
    assert "The score must be from 0 to 10" in text
    assert not Goal.objects.exists()

    goal = new_goal(cast, days=10)
    before_the_goal = days_ago(11)
    text = client.post(
        base + f"{goal.pk}/rate/", {**date_parts("rated_on", before_the_goal), "score": "", "context": ""}
    ).content.decode()
    assert "Enter a score from 0 to 10" in text and "Choose when the rating was given" in text
    text = client.post(
        base + f"{goal.pk}/rate/", {**date_parts("rated_on", before_the_goal), "score": "5", "context": "other"}
    ).content.decode()
    assert "The date of the rating must be on or after" in text and "when the goal was set" in text
    text = client.post(base + f"{goal.pk}/close/", {}).content.decode()
    assert "Choose whether the goal was achieved or stopped" in text and "Enter the date the goal ended" in text
    assert goal.ratings.count() == 1 and Goal.objects.get().is_open


def test_a_fourth_goal_is_refused_on_the_page(cast: Cast) -> None:
    for number in range(3):
        new_goal(cast, text=f"Goal {number}")
    client = signed_in(cast.case_manager)
    base = f"/cases/{cast.case.pk}/goals/"
    page = client.get(base).content.decode()
    assert "Kai has 3 open goals. Mark one as achieved or stopped to set another." in page
    assert f'href="{base}add/"' not in page
    form_page = client.get(base + "add/").content.decode()
    assert "<form" not in form_page.split("</header>")[1].replace('class="ecm-header__signout"', "")
    text = client.post(base + "add/", goal_form()).content.decode()
    assert "Kai already has 3 open goals" in text
    assert Goal.objects.count() == 3


def test_a_goal_of_another_case_is_not_found(cast: Cast) -> None:
    from tests.factories import child, make_case

    other = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(given_name="Mia"))
    goal = goal_set(case=other, actor=cast.colleague, text="Mia's goal", set_by="Mia", set_on=TODAY, start_score=5)
    client = signed_in(cast.case_manager)
    assert client.get(f"/cases/{cast.case.pk}/goals/{goal.pk}/rate/").status_code == 404
    assert client.get(f"/cases/{cast.case.pk}/goals/{goal.pk}/close/").status_code == 404


def test_a_closed_goal_s_pages_say_so_instead_of_a_form(cast: Cast) -> None:
    goal = new_goal(cast)
    goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.STOPPED, closed_on=TODAY)
    client = signed_in(cast.case_manager)
    rate = client.get(f"/cases/{cast.case.pk}/goals/{goal.pk}/rate/").content.decode()
    assert "so it can no longer be rated" in rate and "Save the rating" not in rate
    close = client.get(f"/cases/{cast.case.pk}/goals/{goal.pk}/close/").content.decode()
    assert "This goal was already marked stopped" in close


def test_the_goals_page_pins_its_queries(cast: Cast, django_assert_max_num_queries: Any) -> None:
    for number in range(20):
        goal = new_goal(cast, text=f"Goal {number}", days=60)
        for days in (50, 40, 30):
            goal_rate(goal=goal, actor=cast.psychologist, rated_on=days_ago(days), score=5, context="review")
        if number < 17:
            goal_close(goal=goal, actor=cast.case_manager, status=GoalStatus.STOPPED, closed_on=days_ago(20))
    client = signed_in(cast.case_manager)
    with django_assert_max_num_queries(14):
        page = client.get(f"/cases/{cast.case.pk}/goals/")
    assert page.status_code == 200 and page.content.decode().count("Ratings of goal") == 20


def test_the_include_links_to_the_pages_only_when_the_person_may_change(cast: Cast) -> None:
    from django.template.loader import render_to_string

    new_goal(cast)
    outcomes = outcomes_for_case(case=cast.case)
    from cases.capabilities import case_capabilities

    manager, teacher = case_capabilities(cast.case_manager, cast.case), case_capabilities(cast.teacher, cast.case)
    assert manager.record_outcomes and not teacher.record_outcomes
    with_links = render_to_string("trm_stages/includes/case_outcomes.html", {"outcomes": outcomes, "caps": manager})
    without = render_to_string("trm_stages/includes/case_outcomes.html", {"outcomes": outcomes, "caps": teacher})
    for markup in (with_links, without):
        assert '<section aria-labelledby="outcomes-heading">' in markup
        assert '<h2 class="govuk-heading-m" id="outcomes-heading">Goals</h2>' in markup
        assert "THRIVE grouping" in markup and "Not recorded" in markup
        assert "I want to get to school on time" in markup and "<svg" in markup
    assert f"/cases/{cast.case.pk}/goals/" in with_links and f"/cases/{cast.case.pk}/thrive/set/" in with_links
    assert "/goals/" not in without and "/thrive/" not in without
