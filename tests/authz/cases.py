"""Authorization rows for the cases app's URLs (see tests/authz/core.py for the Row type and the cast)."""

from __future__ import annotations

from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path

ROWS: dict[str, Row] = {
    "cases:list": Row(lambda cast: "/cases/", {ANON: 302}, default=200),
    "cases:detail": Row(case_path("/cases/{case}/"), {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}),
    "cases:case_access_log": Row(
        case_path("/cases/{case}/access-log/"), {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
    ),
    "cases:access_log": Row(lambda cast: "/cases/access-log/", {ANON: 302, "administrator": 200}, default=403),
    "api-case-list": Row(lambda cast: "/api/v1/cases/", {ANON: 403}, default=200),
    "api-case-detail": Row(case_path("/api/v1/cases/{case}/"), {ANON: 403, **FULL_RECORD, "teacher": 200, **INVISIBLE}),
}
