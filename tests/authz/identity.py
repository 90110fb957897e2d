"""Authorization rows for sign-in's second step, the person's own security page and forgotten passwords.

Everyone in the cast is signed in fully (tests/conftest.py completes the second factor of
`force_login`) and has no authenticator yet, so the second step's pages send them on (302) and
the set-up page is open to them. Forgotten-password pages need no sign-in at all.
"""

from __future__ import annotations

from tests.authz.core import ANON, Row

SIGNED_IN: dict[str, int | tuple[int, ...]] = {ANON: 302}

ROWS: dict[str, Row] = {
    # Already through the second step: sent on to where they were going. Nobody signed in: to sign-in.
    "accounts:second_factor": Row(lambda cast: "/accounts/two-factor/", {}, default=302),
    "accounts:recovery_code": Row(lambda cast: "/accounts/two-factor/recovery-code/", {}, default=302),
    # No authenticator yet: anyone signed in may set one up (partners whose agency does not require it too).
    "accounts:second_factor_setup": Row(lambda cast: "/accounts/two-factor/set-up/", SIGNED_IN, default=200),
    # Recovery codes are shown once, straight after they are made; otherwise back to the security page.
    "accounts:recovery_codes": Row(lambda cast: "/accounts/two-factor/recovery-codes/", {}, default=302),
    "accounts:security": Row(lambda cast: "/accounts/security/", SIGNED_IN, default=200),
    # These need an authenticator (none in the cast): sent to set one up.
    "accounts:recovery_codes_new": Row(lambda cast: "/accounts/security/new-recovery-codes/", {}, default=302),
    "accounts:authenticator_replace": Row(lambda cast: "/accounts/security/new-authenticator/", {}, default=302),
    # Forgotten password: open to everyone, and the same for everyone.
    "accounts:password_reset": Row(lambda cast: "/accounts/password-reset/", {}, default=200),
    "accounts:password_reset_sent": Row(lambda cast: "/accounts/password-reset/sent/", {}, default=200),
    "accounts:password_reset_complete": Row(lambda cast: "/accounts/password-reset/done/", {}, default=200),
    # A made-up link answers "this link does not work", never an error.
    "accounts:password_reset_confirm": Row(
        lambda cast: "/accounts/password-reset/MQ/abc-0123456789abcdef/", {}, default=200
    ),
}
