"""The access triad for the administration area's POSTs: the administrators act, everyone else gets 403
(rows in tests/authz/manage.py, each request on a fresh target)."""

from __future__ import annotations

import pytest

from tests.authz.core import mismatches_for
from tests.authz.manage import POST_ROWS, ROWS
from tests.conftest import Cast


def test_every_page_with_a_form_has_a_post_row() -> None:
    read_only = {"manage:home", "manage:people", "manage:person", "manage:agencies"}
    posted_in_rows = {"manage:invitation_resend", "accounts:invitation"}
    assert set(ROWS) - read_only - posted_in_rows - set(POST_ROWS) == set()


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_every_manage_action_refuses_a_post_from_those_who_may_not_act(cast: Cast, url_name: str) -> None:
    mismatches = mismatches_for(cast, POST_ROWS[url_name], method="post")
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
