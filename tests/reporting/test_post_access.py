"""The access triad for the reporting forms' POSTs: allowed, forbidden (403) and someone else's summary (404)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.authz.core import ANON, PEOPLE
from tests.authz.reporting import POST_ROWS
from tests.conftest import Cast


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_reporting_form_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    row = POST_ROWS[url_name]
    mismatches = []
    for who in [ANON, *PEOPLE]:
        client = Client()
        if who != ANON:
            client.force_login(cast.everyone()[who])
        response = client.post(row.path(cast), {})
        expected = row.status_for(who)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in allowed:
            mismatches.append(f"{who}: got {response.status_code}, expected {expected}")
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
