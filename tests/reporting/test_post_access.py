"""The access triad for the reporting forms' POSTs: allowed, forbidden (403) and someone else's summary (404)."""

from __future__ import annotations

import pytest

from tests.authz.core import mismatches_for
from tests.authz.reporting import POST_ROWS
from tests.conftest import Cast


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_reporting_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    mismatches = mismatches_for(cast, POST_ROWS[url_name], method="post")
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
