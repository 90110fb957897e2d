"""The access triad for every case form's POST: allowed, visible-but-forbidden (403), invisible (404)."""

from __future__ import annotations

import pytest

from tests.authz.cases import POST_ROWS
from tests.authz.core import mismatches_for
from tests.conftest import Cast


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_case_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    mismatches = mismatches_for(cast, POST_ROWS[url_name], method="post")
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
