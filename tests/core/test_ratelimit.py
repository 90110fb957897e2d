"""Rate limits: per person for searches and the API, per address for sign-in and forgotten passwords;
over a limit a plain GOV.UK page (or the API's JSON) with status 429; with Redis down, no limit."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from core.ratelimit import Rate
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD


def limits(**changed: str) -> dict[str, str]:
    return {**settings.ECM_RATE_LIMITS, **changed}


def closed_port_cache() -> dict[str, Any]:
    """The project's cache backend aimed at a loopback port where nothing listens (a Redis outage)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {
        "default": {
            "BACKEND": settings.CACHE_BACKEND,
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": settings.CACHE_OPTIONS,
        }
    }


def test_rates_are_written_as_a_count_per_period() -> None:
    assert Rate.parse("30/m") == Rate(limit=30, seconds=60)
    assert Rate.parse("5/hour") == Rate(limit=5, seconds=3600)
    with pytest.raises(ValueError, match="30/m"):
        Rate.parse("thirty a minute")


@override_settings(ECM_RATE_LIMITS=limits(search="3/m"))
def test_searching_too_often_gets_a_plain_429_page_and_a_new_minute_lets_the_person_search_again(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.case_manager)
    with time_machine.travel("2026-03-02 09:00:05 +00:00", tick=False) as clock:
        for _ in range(3):
            assert client.get("/cases/search/", {"q": "Kai"}).status_code == 200
        response = client.get("/cases/search/", {"q": "Kai"})
        body = response.content.decode()
        assert response.status_code == 429
        assert "You have searched too many times" in body
        assert "Try again in a minute." in body
        assert "Kai Brennan" not in body
        assert response["Retry-After"] == "55"
        clock.shift(60)
        assert client.get("/cases/search/", {"q": "Kai"}).status_code == 200


@override_settings(ECM_RATE_LIMITS=limits(search="2/m"))
def test_the_search_limit_is_per_person_and_opening_the_empty_search_page_does_not_count(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.case_manager)
    for _ in range(5):
        assert client.get("/cases/search/").status_code == 200
    for _ in range(2):
        assert client.get("/cases/search/", {"q": "Kai"}).status_code == 200
    assert client.get("/cases/search/", {"q": "Kai"}).status_code == 429
    colleague = Client()
    colleague.force_login(cast.colleague)
    assert colleague.get("/cases/search/", {"q": "Kai"}).status_code == 200


@override_settings(ECM_RATE_LIMITS=limits(search="1/m"))
def test_the_network_people_search_counts_as_a_search(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    url = f"/cases/{cast.case.pk}/network/add/"
    assert client.get(url, {"q": "Morgan"}).status_code == 200
    response = client.get(url, {"q": "Morgan"})
    assert response.status_code == 429
    assert "You have searched too many times" in response.content.decode()


@override_settings(ECM_RATE_LIMITS=limits(search="1/m"))
def test_with_redis_down_the_limit_fails_open_and_the_page_still_answers(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    with override_settings(CACHES=closed_port_cache()):
        for _ in range(4):
            response = client.get("/cases/search/", {"q": "Kai"})
            assert response.status_code == 200
            assert "Kai Brennan" in response.content.decode()


@override_settings(ECM_RATE_LIMITS=limits(api="3/m"))
def test_the_api_answers_429_json_over_the_per_person_limit(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    for _ in range(3):
        assert client.get("/api/v1/cases/").status_code == 200
    response = client.get("/api/v1/cases/")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "throttled" in response.json()["detail"]
    other = Client()
    other.force_login(cast.psychologist)
    assert other.get("/api/v1/cases/").status_code == 200


@override_settings(ECM_RATE_LIMITS=limits(api="1/m"))
def test_the_api_throttle_fails_open_with_redis_down(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    with override_settings(CACHES=closed_port_cache()):
        for _ in range(3):
            assert client.get("/api/v1/cases/").status_code == 200


@override_settings(ECM_RATE_LIMITS=limits(sign_in="3/m"))
def test_sign_in_posts_are_limited_per_address_beside_the_lockout(cast: Cast) -> None:
    one_place = Client(REMOTE_ADDR="192.0.2.20")
    # Different usernames: the lockout (one username from one address) never triggers.
    for username in ["sam", "priya", "alex"]:
        assert one_place.post("/accounts/sign-in/", {"username": username, "password": "wrong"}).status_code == 200
    response = one_place.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "There have been too many attempts to sign in" in response.content.decode()
    assert one_place.get("/accounts/sign-in/").status_code == 200  # reading the page is not limited
    elsewhere = Client(REMOTE_ADDR="192.0.2.21")
    assert elsewhere.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD}).status_code == 302


@override_settings(ECM_RATE_LIMITS=limits(password_reset="2/m"))
def test_password_reset_posts_are_limited_per_address_whatever_the_email(cast: Cast) -> None:
    one_place = Client(REMOTE_ADDR="192.0.2.30")
    for email in ["sam@test.ecm.invalid", "nobody@test.ecm.invalid"]:
        assert one_place.post("/accounts/password-reset/", {"email": email}).status_code == 302
    response = one_place.post("/accounts/password-reset/", {"email": "priya@test.ecm.invalid"})
    assert response.status_code == 429
    assert "There have been too many requests to reset a password" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["sam@test.ecm.invalid"]]
