"""Authorization rows for the trm_stages app's URLs (see tests/authz/core.py for the Row type and the cast)."""

from __future__ import annotations

from tests.authz.core import Row

ROWS: dict[str, Row] = {}
