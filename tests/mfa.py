"""Two-factor sign-in for tests: known authenticator secrets, current codes, and signing in in steps.

`client.force_login(user)` completes the second factor too (the autouse fixture in
tests/conftest.py), so most tests never think about it. Tests of the second step itself use
`sign_in_password_only(client, user)`, which posts the real sign-in form and stops there.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from tests.factories import TEST_PASSWORD


def known_key(username: str) -> str:
    """A fixed, invented 20-byte key (hex) for the person, so a failing test can be replayed."""
    return hashlib.sha1(f"ecm-test-totp:{username}".encode()).hexdigest()  # noqa: S324 - not a password hash


def totp_device_for(user: Any) -> TOTPDevice:
    """The person's confirmed authenticator, made with their known key if they have none."""
    device = mfa.confirmed_totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", key=known_key(user.username))
    return device


def code_for_device(device: TOTPDevice, *, at: float | None = None) -> str:
    """A code the device accepts now: the current one, or the next if the current one was used."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if totp.t() <= device.last_t:
        # Each code works once; the next time step's code is accepted (tolerance 1) until it is due.
        if device.last_t + 1 > totp.t() + device.tolerance:
            time.sleep(device.step)
            totp.time = time.time()
        else:
            totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def totp_code_for(user: Any) -> str:
    """The current 6-digit code of the person's authenticator (made, confirmed, if they have none)."""
    device = totp_device_for(user)
    device.refresh_from_db()
    return code_for_device(device)


def sign_in_password_only(client: Client, user: Any, *, password: str = TEST_PASSWORD, next_url: str = "") -> Any:
    """Post the real sign-in form: the session is signed in with the password only, no second factor."""
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/sign-in/", data)


def complete_second_factor(client: Client, user: Any, method: str = mfa.METHOD_TOTP) -> None:
    """Mark the client's session as having given its second factor, as the second step's page does."""
    session = client.session
    session[mfa.SESSION_KEY] = mfa.session_state(user_pk=user.pk, state=mfa.VERIFIED, method=method)
    session.save()
