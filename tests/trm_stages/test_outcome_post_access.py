"""The access triad for the THRIVE grouping and goal forms' POST: allowed (the form back with its
errors), forbidden (403) for the network's teacher, invisible (404) for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.authz.core import mismatches_for
from tests.authz.trm import OUTCOME_POST_ROWS
from tests.conftest import Cast
from trm_stages.models import Goal, GoalRating, GoalStatus, ThriveGrouping


@pytest.mark.parametrize("url_name", sorted(OUTCOME_POST_ROWS))
def test_every_outcome_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    row = OUTCOME_POST_ROWS[url_name]
    path = row.path(cast)  # may make the record the form acts on, before counting
    before = (
        ThriveGrouping.objects.count(),
        Goal.objects.count(),
        Goal.objects.filter(status=GoalStatus.OPEN).count(),
        GoalRating.objects.count(),
    )
    mismatches = mismatches_for(cast, row, method="post", path=path)
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
    after = (
        ThriveGrouping.objects.count(),
        Goal.objects.count(),
        Goal.objects.filter(status=GoalStatus.OPEN).count(),
        GoalRating.objects.count(),
    )
    assert after == before, "an empty POST must save nothing"


def test_a_partner_professional_cannot_rate_a_goal_even_with_a_full_form(cast: Cast) -> None:
    path = OUTCOME_POST_ROWS["trm_stages:goal_rate"].path(cast)
    client = Client()
    client.force_login(cast.teacher)
    response = client.post(
        path, {"rated_on_day": "1", "rated_on_month": "1", "rated_on_year": "2026", "score": "9", "context": "other"}
    )
    assert response.status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(path, {"score": "9"}).status_code == 404
    assert GoalRating.objects.count() == 1  # the start rating only
