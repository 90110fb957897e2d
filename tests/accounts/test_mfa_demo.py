"""The demo stays explorable with two-factor sign-in: fixed keys printed and in the README, and a
one-line command for the current code. None of it works where demo logins are off."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from devtools.demo.seed import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo
from devtools.demo.totp import demo_totp_key_hex, demo_totp_secret
from tests.conftest import Cast

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.django_db


def test_every_demo_person_has_a_confirmed_authenticator_with_their_fixed_key() -> None:
    seed_demo()
    seed_demo()  # idempotent: still one device each
    for person in DEMO_PEOPLE:
        devices = TOTPDevice.objects.filter(user__username=person.username)
        assert [(device.key, device.confirmed) for device in devices] == [(demo_totp_key_hex(person.username), True)]


def test_the_keys_never_change_between_fresh_demos() -> None:
    assert demo_totp_secret("casemanager") == "XRUBS4CK2CN3HFYDYF6ZXVS2BL3XLINY"
    assert len({demo_totp_secret(person.username) for person in DEMO_PEOPLE}) == len(DEMO_PEOPLE)


def test_seed_demo_prints_each_persons_key_on_the_line_of_their_username() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert "demo_code" in lines[0]
    for person in DEMO_PEOPLE:
        line = next(line for line in lines if line.split()[:1] == [person.username])
        assert demo_totp_secret(person.username) in line


def test_the_readme_lists_each_demo_persons_key_beside_their_username() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "manage.py demo_code casemanager" in readme
    for person in DEMO_PEOPLE:
        assert f"| `{person.username}` | `{demo_totp_secret(person.username)}` |" in readme


def test_demo_code_prints_a_code_that_signs_the_demo_person_in(client: Client) -> None:
    seed_demo()
    response = client.post("/accounts/sign-in/", {"username": "casemanager", "password": DEMO_PASSWORD})
    assert response["Location"] == "/accounts/two-factor/"
    out = StringIO()
    call_command("demo_code", "casemanager", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post("/accounts/two-factor/", {"code": code})["Location"] == "/"
    # Run again straight away, it prints the next code, which works too (each code works once).
    other = Client()
    other.post("/accounts/sign-in/", {"username": "casemanager", "password": DEMO_PASSWORD})
    out = StringIO()
    call_command("demo_code", "casemanager", stdout=out)
    assert out.getvalue().strip() != code
    assert other.post("/accounts/two-factor/", {"code": out.getvalue().strip()})["Location"] == "/"


def test_demo_code_refuses_people_who_are_not_demo_people(cast: Cast) -> None:
    assert not User.objects.get(username="sam").is_demo
    with pytest.raises(CommandError, match="not a demo person"):
        call_command("demo_code", "sam", stdout=StringIO())


def test_demo_code_refuses_where_demo_logins_are_off() -> None:
    seed_demo()
    with override_settings(DEMO_LOGINS_ALLOWED=False), pytest.raises(CommandError, match="refused"):
        call_command("demo_code", "casemanager", stdout=StringIO())
