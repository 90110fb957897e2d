"""The access triad for the administration area's POSTs: the administrators act, everyone else gets 403
(rows in tests/authz/manage.py, each request on a fresh target)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.authz.core import ANON, PEOPLE
from tests.authz.manage import POST_ROWS, ROWS
from tests.conftest import Cast


def test_every_page_with_a_form_has_a_post_row() -> None:
    read_only = {"manage:home", "manage:people", "manage:person", "manage:agencies"}
    posted_in_rows = {"manage:invitation_resend", "accounts:invitation"}
    assert set(ROWS) - read_only - posted_in_rows - set(POST_ROWS) == set()


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_manage_action_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
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
