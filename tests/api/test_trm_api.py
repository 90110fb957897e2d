"""The child's TRM stage assessments and goals through the API (trm_stages/api.py): the full record reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.api.helpers import token_client
from tests.conftest import Cast
from trm_stages.models import StageAssessment
from trm_stages.selectors import thresholds
from trm_stages.services import goal_rate, goal_set, stage_assessment_record


def _assess(cast: Cast, *, days_ago: int, stage: int, **fields: Any) -> StageAssessment:
    return stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=timezone.localdate() - dt.timedelta(days=days_ago),
        stage_number=stage,
        evidence="Kai now waits after sessions to talk to Sam.",
        source="formulation",
        **fields,
    )


def test_the_full_record_reads_the_stage_assessments(cast: Cast) -> None:
    first = _assess(cast, days_ago=40, stage=1)
    second = _assess(cast, days_ago=3, stage=2, thresholds_crossed=[thresholds()[0]])
    url = f"/api/v1/cases/{cast.case.pk}/stage-assessments/"
    listed = token_client(cast.colleague, cast=cast).get(url).json()["results"]
    assert [(item["id"], item["stage"], item["assessor"]) for item in listed] == [
        (second.pk, 2, "Alex Morgan"),
        (first.pk, 1, "Alex Morgan"),
    ]
    response = token_client(cast.senior_practitioner, cast=cast).get(f"{url}{second.pk}/")
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert body["thresholds_crossed"] == [thresholds()[0].name] and body["trm_version"] == second.stage.version.number


def test_the_network_may_not_read_stages_and_other_services_do_not_find_them(cast: Cast) -> None:
    assessment = _assess(cast, days_ago=3, stage=2)
    url = f"/api/v1/cases/{cast.case.pk}/stage-assessments/"
    for path in (url, f"{url}{assessment.pk}/"):
        assert token_client(cast.teacher, cast=cast).get(path).status_code == 403
        assert token_client(cast.case_manager, cast=cast, scopes=("write",)).get(path).status_code == 403
        assert token_client(cast.banes_case_manager, cast=cast).get(path).status_code == 404


def test_the_stage_assessment_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for days_ago in range(30, 0, -1):
        _assess(cast, days_ago=days_ago, stage=2, thresholds_crossed=[thresholds()[0]])
    client = token_client(cast.case_manager, cast=cast)
    with django_assert_num_queries(7):
        assert len(client.get(f"/api/v1/cases/{cast.case.pk}/stage-assessments/").json()["results"]) == 30


def _goal(cast: Cast, number: int) -> Any:
    goal = goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text=f"Goal {number}: get to school on time",
        set_by="Kai with Sam Okafor",
        set_on=timezone.localdate() - dt.timedelta(days=30),
        start_score=3,
    )
    goal_rate(goal=goal, actor=cast.case_manager, rated_on=timezone.localdate(), score=6, context="review")
    return goal


def test_the_full_record_reads_the_goals_with_their_ratings(cast: Cast) -> None:
    goal = _goal(cast, 1)
    url = f"/api/v1/cases/{cast.case.pk}/goals/"
    [listed] = token_client(cast.psychologist, cast=cast).get(url).json()["results"]
    assert (listed["id"], listed["status"]) == (goal.pk, "open")
    assert [(rating["score"], rating["context"]) for rating in listed["ratings"]] == [(3, "start"), (6, "review")]
    assert token_client(cast.teacher, cast=cast).get(url).status_code == 403
    assert token_client(cast.banes_case_manager, cast=cast).get(url).status_code == 404


def test_the_goal_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    from trm_stages.models import MAX_OPEN_GOALS, Goal, GoalStatus

    goals = [_goal(cast, number) for number in range(MAX_OPEN_GOALS)]
    # Closed goals make room for more: 30 in all, each with two ratings.
    while len(goals) < 30:
        Goal.objects.filter(pk=goals[-1].pk).update(status=GoalStatus.ACHIEVED, closed_on=timezone.localdate())
        goals.append(_goal(cast, len(goals)))
    client = token_client(cast.colleague, cast=cast)
    with django_assert_num_queries(7):
        body = client.get(f"/api/v1/cases/{cast.case.pk}/goals/").json()
    assert len(body["results"]) == 30 and all(len(goal["ratings"]) == 2 for goal in body["results"])
