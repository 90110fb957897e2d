"""Every URL of the project, for every member of the cast: allowed, forbidden (403) or invisible (404).

The test enumerates the project's URL patterns and fails when one has no row, so a new page
cannot ship without its access rules being written down and checked. Rows live per app in
tests/authz/ (core.py has the shared Row type and the foundation's URLs).
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.authz import api as api_rows
from tests.authz import api_record as api_record_rows
from tests.authz import case_documents as case_documents_rows
from tests.authz import cases as cases_rows
from tests.authz import consent as consent_rows
from tests.authz import core, referrals, report_documents
from tests.authz import data_rights as data_rights_rows
from tests.authz import formulation as formulation_rows
from tests.authz import identity as identity_rows
from tests.authz import leavers as leavers_rows
from tests.authz import manage as manage_rows
from tests.authz import merges as merges_rows
from tests.authz import oidc as oidc_rows
from tests.authz import reporting as reporting_rows
from tests.authz import reports as report_rows
from tests.authz import reviews as reviews_rows
from tests.authz import transfers as transfers_rows
from tests.authz import trm as trm_rows
from tests.authz.core import Row, mismatches_for
from tests.conftest import Cast

MATRIX: dict[str, Row] = {
    **core.ROWS,
    **identity_rows.ROWS,
    **cases_rows.ROWS,
    **referrals.ROWS,
    **trm_rows.ROWS,
    **formulation_rows.ROWS,
    **reviews_rows.ROWS,
    **report_documents.ROWS,
    **report_rows.ROWS,
    **reporting_rows.ROWS,
    **oidc_rows.ROWS,
    **manage_rows.ROWS,
    **leavers_rows.ROWS,
    **data_rights_rows.ROWS,
    **transfers_rows.ROWS,
    **case_documents_rows.ROWS,
    **consent_rows.ROWS,
    **merges_rows.ROWS,
    **api_record_rows.ROWS,
    **api_rows.ROWS,
}


def _url_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names.extend(_url_names(pattern.url_patterns, inner))
        else:
            names.append(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>")
    return names


def test_every_url_pattern_has_a_row_in_the_matrix() -> None:
    names = _url_names(get_resolver().url_patterns)
    missing = sorted(set(names) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(names))
    assert not missing, f"URL patterns with no authorization rows: {missing}"
    assert not stale, f"Matrix rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access_matrix(cast: Cast, url_name: str) -> None:
    """One URL, everyone in the cast (and nobody signed in): every mismatch is reported at once."""
    mismatches = mismatches_for(cast, MATRIX[url_name])
    assert not mismatches, f"{url_name}: " + "; ".join(mismatches)
