"""The access triad for the TRM forms' POST: allowed (the form back with errors), forbidden (403), invisible (404)."""

from __future__ import annotations

import pytest

from tests.authz.core import mismatches_for
from tests.authz.trm import POST_ROWS
from tests.conftest import Cast
from trm_stages.models import StageAssessment, TrmVersion


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_trm_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    row = POST_ROWS[url_name]
    path = row.path(cast)  # may make the record the form acts on, before counting
    before = (StageAssessment.objects.count(), TrmVersion.objects.count())
    mismatches = mismatches_for(cast, row, method="post", path=path)
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
    assert (StageAssessment.objects.count(), TrmVersion.objects.count()) == before
