"""The access triad for every review and action form's POST: allowed (the form comes back with its
errors and nothing is saved), visible but forbidden (403), invisible (404), and signed out."""

from __future__ import annotations

import pytest
from django.test import Client

from formulation.models import Recommendation
from reviews.models import ActionProgress, Review, ReviewAction, ReviewSchedule
from tests.authz.core import ANON, PEOPLE
from tests.authz.reviews import REVIEW_POST_ROWS
from tests.conftest import Cast
from trm_stages.models import StageAssessment


def _saved(cast: Cast) -> tuple[int, ...]:
    return (
        ActionProgress.objects.count(),
        ReviewAction.objects.count(),
        ReviewSchedule.objects.count(),
        StageAssessment.objects.filter(case=cast.case).count(),
        Review.objects.count(),
        Recommendation.objects.count(),
    )


@pytest.mark.parametrize("url_name", sorted(REVIEW_POST_ROWS))
def test_every_review_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    row = REVIEW_POST_ROWS[url_name]
    path = row.path(cast)
    before = _saved(cast)
    mismatches = []
    for who in [ANON, *PEOPLE]:
        client = Client()
        if who != ANON:
            client.force_login(cast.everyone()[who])
        response = client.post(path, {})
        expected = row.status_for(who)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in allowed:
            mismatches.append(f"{who}: got {response.status_code}, expected {expected}")
        elif who == ANON:
            assert response["Location"].startswith("/accounts/sign-in/"), f"{url_name}: signed out must sign in"
        elif response.status_code == 200:
            assert b"There is a problem" in response.content, f"{url_name}: {who} should see the error summary"
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
    assert _saved(cast) == before, f"POST {url_name}: an empty form saved something"
