"""Every URL of the project, for every member of the cast: allowed, forbidden (403) or invisible (404).

The test enumerates the project's URL patterns and fails when one has no row here, so a new
page cannot ship without its access rules being written down and checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import Cast

ANON = "anonymous"
PEOPLE = [
    "case_manager",
    "colleague",
    "banes_case_manager",
    "psychologist",
    "senior_practitioner",
    "teacher",
    "social_worker",
    "commissioner",
    "administrator",
]


@dataclass(frozen=True)
class Row:
    path: Callable[[Cast], str]
    expected: dict[str, int | tuple[int, ...]]
    method: str = "get"
    default: int | tuple[int, ...] | None = None  # status for everyone not named in `expected`
    extra: dict[str, str] = field(default_factory=dict)

    def status_for(self, who: str) -> int | tuple[int, ...]:
        if who in self.expected:
            return self.expected[who]
        assert self.default is not None, f"no expectation for {who}"
        return self.default


def _case(path: str) -> Callable[[Cast], str]:
    return lambda cast: path.format(case=cast.case.pk)


FULL_RECORD = {"case_manager": 200, "colleague": 200, "psychologist": 200, "senior_practitioner": 200}
INVISIBLE = {"banes_case_manager": 404, "social_worker": 404, "commissioner": 404, "administrator": 404}

MATRIX: dict[str, Row] = {
    "home": Row(lambda cast: "/", {ANON: 302}, default=200),
    # Health reports 503 when no worker runs (as in most tests); it never needs a sign-in.
    "health": Row(lambda cast: "/health/", {}, default=(200, 503)),
    "accounts:login": Row(lambda cast: "/accounts/sign-in/", {ANON: 200}, default=302),
    "accounts:logout": Row(lambda cast: "/accounts/sign-out/", {}, method="post", default=302),
    "cases:list": Row(lambda cast: "/cases/", {ANON: 302}, default=200),
    "cases:detail": Row(_case("/cases/{case}/"), {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}),
    "cases:case_access_log": Row(
        _case("/cases/{case}/access-log/"), {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
    ),
    "cases:access_log": Row(
        lambda cast: "/cases/access-log/", {ANON: 302, "administrator": 200}, default=403
    ),
    "api-case-list": Row(lambda cast: "/api/v1/cases/", {ANON: 403}, default=200),
    "api-case-detail": Row(
        _case("/api/v1/cases/{case}/"), {ANON: 403, **FULL_RECORD, "teacher": 200, **INVISIBLE}
    ),
    "api-schema": Row(lambda cast: "/api/schema/", {ANON: 403}, default=200),
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
@pytest.mark.parametrize("who", [ANON, *PEOPLE])
def test_access_matrix(cast: Cast, client: Client, url_name: str, who: str) -> None:
    row = MATRIX[url_name]
    if who != ANON:
        client.force_login(cast.everyone()[who])
    response = getattr(client, row.method)(row.path(cast))
    expected = row.status_for(who)
    allowed = expected if isinstance(expected, tuple) else (expected,)
    assert response.status_code in allowed, (
        f"{who} on {url_name}: got {response.status_code}, expected {expected}"
    )
