"""The demo people's authenticator keys: fixed and invented, so the README can list them.

Each key is derived from a constant string and the username, never random, so every fresh demo
has the same keys. They only ever exist where demo logins are allowed (`seed_demo` refuses
elsewhere, and production settings refuse demo people at sign-in).
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE_NAME = "Demo authenticator"


def demo_totp_key_hex(username: str) -> str:
    """The 20-byte key (hex, as django-otp stores it) of a demo person's authenticator."""
    return hashlib.sha1(f"ecm-demo-totp-2026:{username}".encode()).hexdigest()  # noqa: S324 - a fixed demo key


def demo_totp_secret(username: str) -> str:
    """The same key in base32, as an authenticator app takes it."""
    return base64.b32encode(bytes.fromhex(demo_totp_key_hex(username))).decode("ascii")


def demo_device_ensure(user: Any) -> TOTPDevice:
    """Give a demo person their fixed authenticator (replacing any other), confirmed."""
    key = demo_totp_key_hex(user.username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=key).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True)
    return device


def code_now(device: TOTPDevice) -> str:
    """The code the device accepts now: the current one, or the next one if the current one was used."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"
