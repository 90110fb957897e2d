"""The access triad for the report PDFs' POST (try again): allowed, visible-but-forbidden (403), invisible (404)."""

from __future__ import annotations

import pytest

from tests.authz.core import mismatches_for
from tests.authz.report_documents import POST_ROWS
from tests.conftest import Cast


@pytest.mark.parametrize("url_name", sorted(POST_ROWS))
def test_trying_a_pdf_again_is_refused_to_those_who_may_not(cast: Cast, url_name: str) -> None:
    mismatches = mismatches_for(cast, POST_ROWS[url_name], method="post")
    assert not mismatches, f"POST {url_name}: " + "; ".join(mismatches)
