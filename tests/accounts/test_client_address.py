"""The real client address behind the configured proxies, for the lockout and the access log; and
session cookies that end with the browser."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings

from accounts.models import AccessEvent
from core.client_address import client_address
from tests.conftest import Cast
from tests.factories import TEST_PASSWORD

PROXY = "10.0.0.2"  # the TLS proxy in front of ECM: every request connects from it
CLIENT = "198.51.100.7"


def request_from(remote: str, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_proxies_the_connecting_address_is_the_client_whatever_the_header_says() -> None:
    assert client_address(request_from(CLIENT, "203.0.113.9")) == CLIENT


@override_settings(ECM_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_rightmost_forwarded_entry() -> None:
    assert client_address(request_from(PROXY, CLIENT)) == CLIENT
    # The client sent an X-Forwarded-For of its own; the proxy appended the real address after it.
    assert client_address(request_from(PROXY, f"203.0.113.9, {CLIENT}")) == CLIENT


@override_settings(ECM_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_second_from_the_right() -> None:
    spoofed = f"203.0.113.9, {CLIENT}, 10.0.0.1"
    assert client_address(request_from(PROXY, spoofed)) == CLIENT


@override_settings(ECM_PROXY_COUNT=1)
def test_a_missing_or_garbled_header_falls_back_to_the_connecting_address() -> None:
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, "unknown")) == PROXY


def test_the_lockout_asks_the_same_function() -> None:
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.client_address.client_address"


@override_settings(ECM_PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_keys_on_the_client_and_ignores_a_spoofed_entry(cast: Cast) -> None:
    browser = Client(REMOTE_ADDR=PROXY)
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A made-up entry from the client each time: it must not give a fresh address to lock.
        forwarded = f"203.0.113.{n + 1}, {CLIENT}"
        browser.post("/accounts/sign-in/", {"username": "sam", "password": "wrong"}, HTTP_X_FORWARDED_FOR=forwarded)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}

    locked = browser.post(
        "/accounts/sign-in/",
        {"username": "sam", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR=f"192.0.2.99, {CLIENT}",
    )
    assert "Sign-in is locked for now" in locked.content.decode()

    # Another person behind the same proxy is not locked out with them.
    colleague_browser = Client(REMOTE_ADDR=PROXY)
    response = colleague_browser.post(
        "/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert response.status_code == 302


@override_settings(ECM_PROXY_COUNT=1)
def test_behind_a_proxy_access_events_record_the_client(cast: Cast) -> None:
    browser = Client(REMOTE_ADDR=PROXY)
    browser.force_login(cast.psychologist)
    browser.get(f"/cases/{cast.case.pk}/", HTTP_X_FORWARDED_FOR=f"203.0.113.9, {CLIENT}")
    event = AccessEvent.objects.get(case_id=cast.case.pk, user=cast.psychologist)
    assert event.ip_address == CLIENT


def test_the_session_cookie_ends_with_the_browser(cast: Cast, client: Client) -> None:
    response = client.post("/accounts/sign-in/", {"username": "sam", "password": TEST_PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    # The server still ends the session after 12 hours in all (accounts.middleware.SessionLimitsMiddleware).
    assert settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() == 12 * 60 * 60
