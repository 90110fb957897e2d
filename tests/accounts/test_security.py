"""Sign-in, session limits, lockout, CSRF, security headers and demo logins."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from accounts.models import User
from devtools.demo.seed import DemoRefused, seed_demo
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD
from tests.mfa import totp_code_for

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_sign_in_lands_on_the_home_page_after_the_security_code(cast: Cast, client: Client) -> None:
    code = totp_code_for(cast.case_manager)
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"
    response = client.post("/accounts/two-factor/", {"code": code})
    assert response["Location"] == "/"


def test_wrong_password_re_displays_the_form_with_an_error_summary(cast: Cast, client: Client) -> None:
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    assert 'value="sam"' in body


def test_session_ends_after_30_minutes_idle(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.case_manager)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=%2Fcases%2F"
    sign_in_page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in sign_in_page
    assert client.get("/").status_code == 302  # really signed out


def test_session_ends_after_12_hours_even_when_active(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.case_manager)
        for _ in range(35):  # active every 20 minutes for 11 h 40 min
            assert client.get("/").status_code == 200
            clock.shift(dt.timedelta(minutes=20))
        clock.shift(dt.timedelta(minutes=25))
        assert client.get("/").status_code == 302


def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(cast: Cast, client: Client) -> None:
    for _ in range(5):
        client.post("/accounts/sign-in/", {"username": "sam", "password": "wrong"})
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code in (403, 429)
    assert "Sign-in is locked for now" in response.content.decode()
    assert "Wait 15 minutes and try again" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_then_success_is_not_locked(cast: Cast, client: Client) -> None:
    for _ in range(4):
        client.post("/accounts/sign-in/", {"username": "sam", "password": "wrong"})
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_sign_in_without_csrf_token_is_refused(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_sign_out_needs_a_post(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    assert client.get("/accounts/sign-out/").status_code == 405
    assert client.post("/accounts/sign-out/").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_carry_security_headers(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    response = client.get(f"/cases/{cast.case.pk}/")
    assert "no-store" in response["Cache-Control"]
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_sign_in_page_has_a_content_security_policy(client: Client) -> None:
    response = client.get("/accounts/sign-in/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_demo_logins_are_refused_where_demo_logins_are_off(client: Client) -> None:
    seed_demo()
    with override_settings(DEMO_LOGINS_ALLOWED=False):
        response = client.post("/accounts/sign-in/", {"username": "casemanager", "password": "ecm-demo-2026"})
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    response = client.post("/accounts/sign-in/", {"username": "casemanager", "password": "ecm-demo-2026"})
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(DEMO_LOGINS_ALLOWED=False)
def test_seed_demo_refuses_where_demo_logins_are_off() -> None:
    with pytest.raises(DemoRefused):
        seed_demo()
    assert not User.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent() -> None:
    seed_demo()
    counts = User.objects.count()
    seed_demo()
    assert User.objects.count() == counts == 10
