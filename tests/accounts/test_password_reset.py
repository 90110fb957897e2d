"""Forgotten password: a one-time, short-lived link by e-mail, the same answer for every address,
rate limits that survive a Redis outage, and no way around the second factor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings

from accounts.models import User
from devtools.demo.seed import seed_demo
from tests.conftest import Cast
from tests.mfa import totp_code_for, totp_device_for

NEW_PASSWORD = "a-new-long-passphrase-for-sam"  # noqa: S105 - invented
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def ask_for_link(client: Client, email: str) -> str:
    response = client.post("/accounts/password-reset/", {"email": email})
    assert response.status_code == 302
    return str(response["Location"])


def link_path() -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", str(mail.outbox[-1].body))
    assert found is not None, mail.outbox[-1].body
    return found.group(1)


def follow_link_and_set(client: Client, path: str, password: str = NEW_PASSWORD) -> str:
    """Open the link (Django swaps the token for a session marker) and post the new password twice."""
    response = client.get(path)
    assert response.status_code == 302
    form_path = str(response["Location"])
    response = client.post(form_path, {"new_password1": password, "new_password2": password})
    return str(response.get("Location", ""))


def test_the_sign_in_page_links_to_forgotten_password(client: Client) -> None:
    page = client.get("/accounts/sign-in/").content.decode()
    assert '<a class="govuk-link" href="/accounts/password-reset/">Forgotten your password?</a>' in page


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(cast: Cast, client: Client) -> None:
    known = ask_for_link(client, "sam@test.ecm.invalid")
    unknown = ask_for_link(client, "nobody-here@test.ecm.invalid")
    assert known == unknown == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@test.ecm.invalid"]
    page = client.get(known).content.decode()
    assert "If an ECM account uses that email address" in page


def test_the_email_has_a_one_time_link_from_ecms_address_and_names_no_child(cast: Cast, client: Client) -> None:
    ask_for_link(client, "SAM@test.ecm.invalid")
    message = mail.outbox[0]
    assert message.subject == "ECM: choose a new password"
    assert "http://127.0.0.1:8000/accounts/password-reset/" in message.body  # ECM_BASE_URL, not the Host header
    assert "within 60 minutes" in message.body
    assert "authenticator app" in message.body
    for child_detail in ("Kai", "Brennan", "LOC-100231"):
        assert child_detail not in message.body


def test_an_empty_or_malformed_address_is_explained(client: Client) -> None:
    response = client.post("/accounts/password-reset/", {"email": ""})
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_email">Enter your email address</a>' in page
    response = client.post("/accounts/password-reset/", {"email": "not an address"})
    assert "Enter an email address in the correct format" in response.content.decode()


def test_the_link_sets_a_new_password_but_never_signs_in_and_the_second_factor_is_still_asked(
    cast: Cast, client: Client
) -> None:
    totp_device_for(cast.case_manager)
    ask_for_link(client, "sam@test.ecm.invalid")
    done = follow_link_and_set(client, link_path())
    assert done == "/accounts/password-reset/done/"
    assert "Your password has been changed" in client.get(done).content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/cases/").status_code == 302

    response = client.post("/accounts/sign-in/", {"username": "sam", "password": NEW_PASSWORD})
    assert response["Location"] == "/accounts/two-factor/"
    assert client.get("/cases/")["Location"].startswith("/accounts/two-factor/")
    response = client.post("/accounts/two-factor/", {"code": totp_code_for(cast.case_manager)})
    assert response["Location"] == "/"
    assert client.get("/cases/").status_code == 200


def test_the_link_works_once(cast: Cast, client: Client) -> None:
    ask_for_link(client, "sam@test.ecm.invalid")
    path = link_path()
    follow_link_and_set(client, path)
    response = Client().get(path, follow=True)
    assert "This link does not work" in response.content.decode()


def test_the_link_stops_working_after_an_hour(cast: Cast) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        ask_for_link(client, "sam@test.ecm.invalid")
        path = link_path()
        clock.shift(dt.timedelta(minutes=61))
        response = client.get(path, follow=True)
    assert "This link does not work" in response.content.decode()
    cast.case_manager.refresh_from_db()
    assert cast.case_manager.check_password("correct-horse-battery-staple")


def test_the_new_password_must_pass_the_password_rules(cast: Cast, client: Client) -> None:
    ask_for_link(client, "sam@test.ecm.invalid")
    response = client.get(link_path())
    response = client.post(response["Location"], {"new_password1": "short", "new_password2": "short"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "This password is too short" in page
    response = client.post(
        response.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "The two passwords do not match" in response.content.decode()


def test_an_inactive_person_gets_no_email(cast: Cast, client: Client) -> None:
    User.objects.filter(pk=cast.colleague.pk).update(is_active=False)
    assert ask_for_link(client, "priya@test.ecm.invalid") == "/accounts/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_demo_people_get_no_email_where_demo_logins_are_off(client: Client) -> None:
    seed_demo()
    with override_settings(DEMO_LOGINS_ALLOWED=False):
        assert ask_for_link(client, "casemanager@demo.ecm.invalid") == "/accounts/password-reset/sent/"
    assert mail.outbox == []
    ask_for_link(client, "casemanager@demo.ecm.invalid")
    assert len(mail.outbox) == 1


@override_settings(ECM_PASSWORD_RESET_PER_EMAIL_PER_HOUR=3)
def test_requests_for_one_address_are_limited_per_hour_with_the_same_answer(cast: Cast) -> None:
    for n in range(5):
        # From a different address each time: only the per-e-mail-address limit applies.
        client = Client(REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert ask_for_link(client, "Sam@test.ecm.invalid") == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 3


@override_settings(ECM_PASSWORD_RESET_PER_IP_PER_HOUR=2)
def test_requests_from_one_address_are_limited_per_hour(cast: Cast, client: Client) -> None:
    for email in ["sam@test.ecm.invalid", "priya@test.ecm.invalid", "alex@test.ecm.invalid"]:
        assert ask_for_link(client, email) == "/accounts/password-reset/sent/"
    assert [message.to for message in mail.outbox] == [["sam@test.ecm.invalid"], ["priya@test.ecm.invalid"]]


def test_a_redis_outage_never_breaks_the_page(cast: Cast, client: Client) -> None:
    nowhere = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with override_settings(CACHES=nowhere, SESSION_ENGINE="django.contrib.sessions.backends.db"):
        assert client.get("/accounts/password-reset/").status_code == 200
        assert ask_for_link(client, "sam@test.ecm.invalid") == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
