"""Authorization rows shared by every app, and the rows of the foundation's URLs.

Each app keeps its rows in tests/authz/<app>.py; tests/test_authorization_matrix.py merges them
and fails when a URL pattern of the project has no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
    "agency_administrator",
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
        # An agency administrator sees no case content, like the service administrator, and holds
        # none of the service-wide powers (the whole access log, TRM publishing): 403 where those give 200.
        if who == "agency_administrator" and "administrator" in self.expected:
            fallback = self.expected["administrator"]
            return 403 if fallback == 200 else fallback
        assert self.default is not None, f"no expectation for {who}"
        return self.default


def case_path(path: str) -> Callable[[Cast], str]:
    return lambda cast: path.format(case=cast.case.pk)


FULL_RECORD = {"case_manager": 200, "colleague": 200, "psychologist": 200, "senior_practitioner": 200}
INVISIBLE = {
    "banes_case_manager": 404,
    "social_worker": 404,
    "commissioner": 404,
    "administrator": 404,
    "agency_administrator": 404,
}

ROWS: dict[str, Row] = {
    "home": Row(lambda cast: "/", {ANON: 302}, default=200),
    # Health reports 503 when no worker runs (as in most tests); it never needs a sign-in.
    "health": Row(lambda cast: "/health/", {}, default=(200, 503)),
    "accounts:login": Row(lambda cast: "/accounts/sign-in/", {ANON: 200}, default=302),
    "accounts:logout": Row(lambda cast: "/accounts/sign-out/", {}, method="post", default=302),
    # Signed out, the API answers 401 with a bearer challenge (core/api/authentication.py).
    "api-schema": Row(lambda cast: "/api/schema/", {ANON: 401}, default=200),
}


def _to_sign_in(response: Any) -> bool:
    return str(response["Location"]).startswith("/accounts/sign-in/")


def mismatches_for(
    cast: Cast,
    row: Row,
    *,
    method: str | None = None,
    path: str | None = None,
    anon_signs_in: bool = False,
    allowed_shows_errors: bool = False,
) -> list[str]:
    """Ask the row's URL as nobody and as everyone in the cast; one line per answer that differs.

    The one loop of every access test (GET rows and the POST triads of each app). With
    `anon_signs_in`, a signed-out redirect must go to the sign-in page; with `allowed_shows_errors`,
    a 200 to an empty POST must be the form back with the GOV.UK error summary. The row's path is
    made for each request (some rows make a fresh target each time); pass `path` to ask one target
    that the caller made, e.g. before counting what is saved.
    """
    from django.test import Client

    mismatches = []
    for who in [ANON, *PEOPLE]:
        client = Client()
        if who != ANON:
            client.force_login(cast.everyone()[who])
        response = getattr(client, method or row.method)(path or row.path(cast))
        expected = row.status_for(who)
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if response.status_code not in allowed:
            mismatches.append(f"{who}: got {response.status_code}, expected {expected}")
        elif anon_signs_in and who == ANON and response.status_code == 302 and not _to_sign_in(response):
            mismatches.append(f"{who}: must be sent to sign in, got {response.status_code} {response.get('Location')}")
        elif allowed_shows_errors and response.status_code == 200 and b"There is a problem" not in response.content:
            mismatches.append(f"{who}: 200 without the error summary")
    return mismatches
