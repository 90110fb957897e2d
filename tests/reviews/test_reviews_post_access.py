"""The access triad for every review and action form's POST: allowed (the form comes back with its
errors and nothing is saved), visible but forbidden (403), invisible (404), and signed out."""

from __future__ import annotations

import pytest

from formulation.models import Recommendation
from reviews.models import ActionProgress, Review, ReviewAction, ReviewSchedule
from tests.authz.core import mismatches_for
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
    path = row.path(cast)  # may make the record the form acts on, before counting
    before = _saved(cast)
    mismatches = mismatches_for(cast, row, method="post", path=path, anon_signs_in=True, allowed_shows_errors=True)
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
    assert _saved(cast) == before, f"POST {url_name}: an empty form saved something"
