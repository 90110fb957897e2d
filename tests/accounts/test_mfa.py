"""Two-factor sign-in: who is asked, the second step, set-up, recovery codes, lockout and history."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.middleware import SecondFactorMiddleware
from accounts.models import User
from tests.conftest import Cast
from tests.mfa import code_for_device, sign_in_password_only, totp_code_for, totp_device_for

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def signed_in(client: Client) -> bool:
    """Can the session open a page only a signed-in person can (the case list)?"""
    return client.get("/cases/").status_code == 200


def set_up_codes(client: Client, user: User) -> list[str]:
    """Go through set-up as the person would and return the recovery codes shown."""
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/set-up/", {"code": code_for_device(device)})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<code>([a-z2-7]{8})</code>", page)


# ---- Who is asked ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["case_manager", "psychologist", "senior_practitioner", "commissioner", "administrator", "agency_administrator"],
)
def test_every_staff_role_needs_a_second_factor_whatever_the_agency_says(cast: Cast, who: str) -> None:
    person = cast.everyone()[who]
    for membership in person.memberships.select_related("agency"):
        membership.agency.partner_mfa_required = False
        membership.agency.save(update_fields=["partner_mfa_required"])
    assert mfa.second_factor_required(person)


def test_a_partner_needs_a_second_factor_by_default(cast: Cast, client: Client) -> None:
    response = sign_in_password_only(client, cast.teacher)
    assert response["Location"] == "/accounts/two-factor/"
    assert not signed_in(client)


def test_a_partner_whose_agency_does_not_require_it_signs_in_with_the_password(cast: Cast, client: Client) -> None:
    cast.school.partner_mfa_required = False
    cast.school.save(update_fields=["partner_mfa_required"])
    response = sign_in_password_only(client, cast.teacher)
    assert response["Location"] == "/"
    assert signed_in(client)


def test_a_partner_who_set_it_up_anyway_is_asked_for_it(cast: Cast) -> None:
    cast.school.partner_mfa_required = False
    cast.school.save(update_fields=["partner_mfa_required"])
    assert not mfa.second_factor_required(cast.teacher)
    totp_device_for(cast.teacher)
    assert mfa.second_factor_required(cast.teacher)


@override_settings(ECM_MFA_REQUIRED=False)
def test_with_enforcement_off_the_password_is_enough(cast: Cast, client: Client) -> None:
    response = sign_in_password_only(client, cast.case_manager)
    assert response["Location"] == "/"
    assert signed_in(client)


# ---- The second step ---------------------------------------------------------------------------------


def test_a_password_alone_reaches_no_page_but_the_second_step(cast: Cast, client: Client) -> None:
    totp_device_for(cast.case_manager)
    response = sign_in_password_only(client, cast.case_manager)
    assert response["Location"] == "/accounts/two-factor/"
    for path in ["/", "/cases/", f"/cases/{cast.case.pk}/", "/accounts/security/", "/api/v1/cases/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/"), path
    response = client.post(f"/cases/{cast.case.pk}/contacts/add/", {})
    assert response["Location"] == "/accounts/two-factor/"
    # A person who has an authenticator cannot set up another one with the password alone.
    assert client.get("/accounts/two-factor/set-up/")["Location"] == "/accounts/two-factor/"


def test_the_security_code_page_is_a_gov_uk_one_time_code_input(cast: Cast, client: Client) -> None:
    totp_device_for(cast.case_manager)
    sign_in_password_only(client, cast.case_manager)
    page = client.get("/accounts/two-factor/").content.decode()
    assert "Enter your security code" in page
    assert '<label class="govuk-label" for="id_code">Security code</label>' in page
    field = re.search(r'<input class="govuk-input[^>]*id="id_code"[^>]*>', page, re.S)
    assert field is not None
    assert 'autocomplete="one-time-code"' in field.group(0)
    assert 'inputmode="numeric"' in field.group(0)
    assert "Use a recovery code instead" in page
    assert "My caseload" not in page  # no navigation before the second step


def test_the_right_code_signs_in_and_goes_where_the_person_was_going(cast: Cast, client: Client) -> None:
    totp_device_for(cast.case_manager)
    sign_in_password_only(client, cast.case_manager, next_url="/cases/")
    response = client.get("/accounts/two-factor/?next=/cases/")
    assert 'name="next" value="/cases/"' in response.content.decode()
    key_before = client.session.session_key
    response = client.post("/accounts/two-factor/", {"code": totp_code_for(cast.case_manager), "next": "/cases/"})
    assert response["Location"] == "/cases/"
    assert signed_in(client)
    assert client.session.session_key != key_before  # the session id seen before the second step is worthless


def test_a_next_page_on_another_site_is_ignored(cast: Cast, client: Client) -> None:
    totp_device_for(cast.case_manager)
    sign_in_password_only(client, cast.case_manager)
    response = client.post(
        "/accounts/two-factor/", {"code": totp_code_for(cast.case_manager), "next": "https://elsewhere.invalid/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_with_an_error_summary(cast: Cast, client: Client) -> None:
    device = totp_device_for(cast.case_manager)
    sign_in_password_only(client, cast.case_manager)
    response = client.post("/accounts/two-factor/", {"code": wrong(code_for_device(device))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The security code is not right" in page
    assert not signed_in(client)
    response = client.post("/accounts/two-factor/", {"code": "12ab"})
    assert "Enter the security code as 6 digits" in response.content.decode()


def test_a_code_works_once(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        device = totp_device_for(cast.case_manager)
        code = code_for_device(device)
        first, second = Client(), Client()
        sign_in_password_only(first, cast.case_manager)
        assert first.post("/accounts/two-factor/", {"code": code})["Location"] == "/"
        sign_in_password_only(second, cast.case_manager)
        response = second.post("/accounts/two-factor/", {"code": code})
        assert response.status_code == 200
        assert not signed_in(second)


def test_a_quick_second_guess_is_made_to_wait(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False):
        device = totp_device_for(cast.case_manager)
        code = code_for_device(device)
        sign_in_password_only(client, cast.case_manager)
        client.post("/accounts/two-factor/", {"code": wrong(code)})
        response = client.post("/accounts/two-factor/", {"code": code})
        assert "Wait a few seconds" in response.content.decode()
        assert not signed_in(client)


def test_five_wrong_codes_lock_the_second_step_for_15_minutes_even_for_the_right_code(
    cast: Cast, client: Client
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        device = totp_device_for(cast.case_manager)
        sign_in_password_only(client, cast.case_manager)
        for _ in range(5):
            clock.shift(dt.timedelta(seconds=20))  # past django-otp's short waits: only the lockout is left
            client.post("/accounts/two-factor/", {"code": wrong(code_for_device(device))})
        clock.shift(dt.timedelta(seconds=20))
        response = client.post("/accounts/two-factor/", {"code": code_for_device(device)})
        assert "too many wrong codes. Wait 15 minutes" in response.content.decode()
        assert not signed_in(client)

        # Signing in with the password again, in another browser, does not clear it.
        other = Client()
        sign_in_password_only(other, cast.case_manager)
        clock.shift(dt.timedelta(minutes=5))
        device.refresh_from_db()
        response = other.post("/accounts/two-factor/", {"code": code_for_device(device)})
        assert "too many wrong codes. Wait 10 minutes" in response.content.decode()
        assert mfa.second_step_locked_until(cast.case_manager) is not None

        clock.shift(dt.timedelta(minutes=11))
        device.refresh_from_db()
        response = other.post("/accounts/two-factor/", {"code": code_for_device(device)})
        assert response["Location"] == "/"
        device.refresh_from_db()
        assert device.throttling_failure_count == 0


def test_wrong_recovery_codes_count_towards_the_same_lockout(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        device = totp_device_for(cast.case_manager)
        mfa.recovery_codes_issue(user=cast.case_manager, actor=cast.case_manager)
        sign_in_password_only(client, cast.case_manager)
        for _ in range(3):
            clock.shift(dt.timedelta(seconds=20))
            client.post("/accounts/two-factor/recovery-code/", {"code": "zzzzzzzz"})
        for _ in range(2):
            clock.shift(dt.timedelta(seconds=20))
            client.post("/accounts/two-factor/", {"code": wrong(code_for_device(device))})
        clock.shift(dt.timedelta(seconds=20))
        response = client.post("/accounts/two-factor/", {"code": code_for_device(device)})
        assert "too many wrong codes" in response.content.decode()


# ---- Setting up ------------------------------------------------------------------------------------


def test_a_person_without_an_authenticator_is_sent_to_set_one_up(cast: Cast, client: Client) -> None:
    sign_in_password_only(client, cast.psychologist, next_url="/cases/")
    response = client.get("/accounts/two-factor/?next=/cases/")
    assert response["Location"] == "/accounts/two-factor/set-up/?next=%2Fcases%2F"
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=cast.psychologist, confirmed=False)
    key = mfa.base32_key(device)
    assert " ".join(key[i : i + 4] for i in range(0, 32, 4)) in page  # the key typed out, in groups of four
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    # The QR code is an image the CSP allows (img-src data:), with no script and no inline style.
    src = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert src is not None
    svg = base64.b64decode(src.group(1)).decode()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "style" not in svg and "<script" not in svg
    assert 'alt="QR code' in page
    # The same key on reload: an app already scanned keeps working.
    client.get("/accounts/two-factor/set-up/")
    assert TOTPDevice.objects.filter(user=cast.psychologist, confirmed=False).count() == 1
    assert not signed_in(client)


def test_set_up_is_confirmed_by_a_code_then_shows_ten_recovery_codes_once(cast: Cast, client: Client) -> None:
    sign_in_password_only(client, cast.psychologist)
    client.get("/accounts/two-factor/set-up/")
    device = TOTPDevice.objects.get(user=cast.psychologist, confirmed=False)
    response = client.post("/accounts/two-factor/set-up/", {"code": wrong(code_for_device(device))})
    assert "The security code is not right" in response.content.decode()
    assert not mfa.has_confirmed_device(cast.psychologist)

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5), tick=False):
        response = client.post("/accounts/two-factor/set-up/", {"code": code_for_device(device)})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", page)
    assert len(codes) == 10
    assert "shown only once" in page and "Keep them safe" in page
    assert set(codes) == set(StaticToken.objects.filter(device__user=cast.psychologist).values_list("token", flat=True))
    assert client.get("/accounts/two-factor/recovery-codes/")["Location"] == "/accounts/security/"
    assert mfa.has_confirmed_device(cast.psychologist)
    assert signed_in(client)


def test_setting_up_is_kept_in_the_persons_history(cast: Cast, client: Client) -> None:
    sign_in_password_only(client, cast.psychologist)
    set_up_codes(client, cast.psychologist)
    labels = list(mfa.mfa_history(cast.psychologist).values_list("pgh_label", flat=True))
    assert labels == ["mfa.recovery_codes_issued", "mfa.set_up"]
    event = mfa.mfa_history(cast.psychologist).get(pgh_label="mfa.set_up")
    assert event.pgh_context.metadata["user"] == cast.psychologist.pk


# ---- Recovery codes ----------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_is_kept_in_history(cast: Cast) -> None:
    first = Client()
    sign_in_password_only(first, cast.psychologist)
    codes = set_up_codes(first, cast.psychologist)
    first.post("/accounts/sign-out/")

    second = Client()
    sign_in_password_only(second, cast.psychologist)
    page = second.get("/accounts/two-factor/recovery-code/").content.decode()
    assert '<label class="govuk-label" for="id_code">Recovery code</label>' in page
    response = second.post("/accounts/two-factor/recovery-code/", {"code": codes[0].upper()})
    assert response["Location"] == "/"
    assert "You have 9 recovery codes left" in second.get("/").content.decode()
    assert mfa.recovery_codes_left(cast.psychologist) == 9
    assert mfa.mfa_history(cast.psychologist).filter(pgh_label="mfa.recovery_code_used").count() == 1

    third = Client()
    sign_in_password_only(third, cast.psychologist)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5)):
        response = third.post("/accounts/two-factor/recovery-code/", {"code": codes[0]})
    assert "That recovery code is not right, or was already used" in response.content.decode()
    assert not signed_in(third)


def test_new_recovery_codes_need_the_current_code_and_replace_the_old_ones(cast: Cast, client: Client) -> None:
    sign_in_password_only(client, cast.psychologist)
    old_codes = set_up_codes(client, cast.psychologist)
    security = client.get("/accounts/security/").content.decode()
    assert "10 left" in security and "Set up" in security
    device = TOTPDevice.objects.get(user=cast.psychologist, confirmed=True)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=40), tick=False):
        response = client.post("/accounts/security/new-recovery-codes/", {"code": wrong(code_for_device(device))})
        assert "The security code is not right" in response.content.decode()
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=80), tick=False):
        device.refresh_from_db()
        response = client.post("/accounts/security/new-recovery-codes/", {"code": code_for_device(device)})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    new_codes = re.findall(r"<code>([a-z2-7]{8})</code>", client.get(response["Location"]).content.decode())
    assert len(new_codes) == 10
    remaining = set(StaticToken.objects.filter(device__user=cast.psychologist).values_list("token", flat=True))
    assert remaining == set(new_codes)
    assert not remaining & set(old_codes)
    assert StaticDevice.objects.filter(user=cast.psychologist).count() == 1


# ---- Moving to a new authenticator ----------------------------------------------------------------


def test_moving_to_a_new_app_needs_the_current_code_and_the_old_app_stops_working(cast: Cast, client: Client) -> None:
    sign_in_password_only(client, cast.psychologist)
    set_up_codes(client, cast.psychologist)
    old = TOTPDevice.objects.get(user=cast.psychologist, confirmed=True)
    # Without the current code, the set-up page is not open to a person who has an app.
    assert client.get("/accounts/two-factor/set-up/")["Location"] == "/accounts/security/"
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=40), tick=False):
        response = client.post("/accounts/security/new-authenticator/", {"code": code_for_device(old)})
        assert response["Location"] == "/accounts/two-factor/set-up/"
        page = client.get("/accounts/two-factor/set-up/").content.decode()
        assert "Set up your new authenticator app" in page
        new = TOTPDevice.objects.get(user=cast.psychologist, confirmed=False)
        response = client.post("/accounts/two-factor/set-up/", {"code": code_for_device(new)})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    assert list(TOTPDevice.objects.filter(user=cast.psychologist).values_list("pk", flat=True)) == [new.pk]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert mfa.mfa_history(cast.psychologist).filter(pgh_label="mfa.authenticator_replaced").exists()


# ---- An administrator's reset ------------------------------------------------------------------------


def test_an_administrators_reset_removes_the_second_factor_ends_sessions_and_names_them(cast: Cast) -> None:
    person = Client()
    sign_in_password_only(person, cast.case_manager)
    set_up_codes(person, cast.case_manager)
    assert signed_in(person)

    mfa.mfa_reset_for(user=cast.case_manager, actor=cast.administrator)

    assert not TOTPDevice.objects.filter(user=cast.case_manager).exists()
    assert not StaticDevice.objects.filter(user=cast.case_manager).exists()
    assert person.get("/cases/").status_code == 302  # the open session has ended
    event = mfa.mfa_history(cast.case_manager).get(pgh_label="mfa.reset")
    assert event.pgh_context.metadata["user"] == cast.administrator.pk
    # Their next sign-in asks them to set it up again.
    again = Client()
    sign_in_password_only(again, cast.case_manager)
    assert again.get("/accounts/two-factor/")["Location"] == "/accounts/two-factor/set-up/"


def test_the_people_list_can_show_who_has_set_it_up_in_one_query(cast: Cast, django_assert_num_queries: Any) -> None:
    totp_device_for(cast.case_manager)
    TOTPDevice.objects.create(user=cast.colleague, name="never confirmed", confirmed=False)
    with django_assert_num_queries(1):
        status = {user.username: getattr(user, "mfa_set_up") for user in mfa.with_mfa_status(User.objects.all())}  # noqa: B009
    assert status["sam"] is True
    assert status["priya"] is False
    assert status["alex"] is False
    assert mfa.has_confirmed_device(cast.case_manager)
    assert not mfa.has_confirmed_device(cast.colleague)


# ---- The middleware's cost, and the test helpers ------------------------------------------------------


def _request_with_session(client: Client, user: User) -> HttpRequest:
    request = RequestFactory().get("/cases/")
    session: SessionBase = client.session
    dict(session.items())  # loaded now, as SessionMiddleware and AuthenticationMiddleware have by then
    request.session = session
    request.user = user
    return request


def test_a_verified_session_costs_the_middleware_no_query(
    cast: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    client.force_login(cast.case_manager)
    request = _request_with_session(client, cast.case_manager)
    middleware = SecondFactorMiddleware(lambda request: HttpResponse("the page"))
    with django_assert_num_queries(0):
        response = middleware(request)
    assert response.content == b"the page"


def test_a_password_only_session_is_sent_to_the_second_step_without_a_query(
    cast: Cast, client: Client, django_assert_num_queries: Any
) -> None:
    sign_in_password_only(client, cast.case_manager)
    request = _request_with_session(client, cast.case_manager)
    middleware = SecondFactorMiddleware(lambda request: HttpResponse("the page"))
    with django_assert_num_queries(0):
        response = middleware(request)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fcases%2F"


def test_a_session_verified_for_someone_else_does_not_pass(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    request = _request_with_session(client, cast.colleague)
    assert not mfa.session_passes(request)


def test_force_login_in_tests_completes_the_second_factor(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    assert signed_in(client)
    assert client.session[mfa.SESSION_KEY]["state"] == mfa.VERIFIED
    assert not TOTPDevice.objects.filter(user=cast.psychologist).exists()  # no device is made for it


def test_totp_code_for_gives_a_code_the_second_step_accepts_twice_in_a_row(cast: Cast) -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            client = Client()
            sign_in_password_only(client, cast.senior_practitioner)
            response = client.post("/accounts/two-factor/", {"code": totp_code_for(cast.senior_practitioner)})
            assert response["Location"] == "/"


def test_mark_second_factor_verified_is_what_other_sign_in_ways_call(cast: Cast) -> None:
    request = RequestFactory().get("/")
    from django.contrib.sessions.backends.cache import SessionStore

    request.session = SessionStore()
    request.user = cast.case_manager
    request.session[mfa.SESSION_KEY] = mfa.session_state(user_pk=cast.case_manager.pk, state=mfa.PENDING)
    assert not mfa.session_passes(request)
    mfa.mark_second_factor_verified(request, "oidc")
    assert mfa.session_passes(request)
    assert mfa.session_verified_method(request) == "oidc"
