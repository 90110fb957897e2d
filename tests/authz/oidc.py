"""Rows for sign-in with an agency's identity provider (accounts/oidc.py).

The matrix runs with no provider configured (the default): every provider slug is unknown, so the
start answers 404 for everyone; a callback that no flow of this browser started is refused (400)
for everyone, signed in or not. The flows themselves are tested in tests/accounts/test_oidc.py.
"""

from __future__ import annotations

from tests.authz.core import Row

ROWS: dict[str, Row] = {
    "accounts:oidc_start": Row(lambda cast: "/accounts/oidc/fernbrook/start/", {}, default=404),
    "accounts:oidc_callback": Row(lambda cast: "/accounts/oidc/callback/", {}, default=400),
}
