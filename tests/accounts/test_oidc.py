"""Sign-in with an agency's identity provider (OpenID Connect), against a fake provider on loopback.

The fake provider (tests/fake_oidc.py) signs in whoever `provider.person` names. Each test walks
the flow as a browser would: ECM's start URL, the provider's /authorize (requested here, not
followed by the test client), then ECM's callback with the code and state the provider returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from axes.models import AccessAttempt, AccessLog
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from accounts import mfa
from accounts.models import Membership, User
from accounts.oidc_providers import oidc_providers_parse
from tests.conftest import Cast
from tests.fake_oidc import CLIENT_ID, FakeOidcProvider, FakePerson, new_signing_key
from tests.test_settings import GOOD_ENV, _manage

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

SLUG = "fernbrook"
LABEL = "Fernbrook Academy staff account"
NO_ACCOUNT = "We could not find an ECM account for this address. Ask your agency administrator to invite you."
DID_NOT_COMPLETE = "Sign-in did not complete"
# A well-formed entry for configuration tests (no provider answers at these invented addresses).
ENTRY = {
    "agency": "Fernbrook Academy",
    "label": LABEL,
    "authorization_endpoint": "https://idp.fernbrook.example/authorize",
    "token_endpoint": "https://idp.fernbrook.example/token",
    "userinfo_endpoint": "https://idp.fernbrook.example/userinfo",
    "jwks_endpoint": "https://idp.fernbrook.example/jwks",
    "client_id": "ecm",
    "client_secret": "invented-secret",
}


@pytest.fixture
def provider(cast: Cast) -> Iterator[FakeOidcProvider]:
    """Fernbrook Academy's identity provider, configured in ECM for the school's people."""
    with FakeOidcProvider() as fake:
        entry = fake.settings_entry(agency=cast.school.name, label=LABEL)
        with override_settings(ECM_OIDC_PROVIDERS={SLUG: entry}):
            yield fake


def walk_to_callback(client: Client, provider: FakeOidcProvider, start_query: str = "") -> str:
    """Start at ECM, pass the provider's /authorize, return the callback URL it sends the browser to."""
    start = client.get(f"/accounts/oidc/{SLUG}/start/{start_query}")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/authorize?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert (callback.scheme, callback.netloc, callback.path) == ("http", "testserver", "/accounts/oidc/callback/")
    return f"{callback.path}?{callback.query}"


def sign_in_through(client: Client, provider: FakeOidcProvider, person: FakePerson) -> Response:
    provider.person = person
    return client.get(walk_to_callback(client, provider))


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def assert_refused_without_an_account(response: Response, client: Client) -> None:
    assert response.status_code == 403
    assert NO_ACCOUNT in response.content.decode()
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302  # still signed out: home sends them to sign in


# Signing in


def test_a_verified_invited_member_of_the_agency_signs_in(cast: Cast, client: Client, provider: Any) -> None:
    # The provider's address differs in case from ECM's: e-mail is matched case-insensitively.
    person = FakePerson(email=cast.teacher.email.upper())

    response = sign_in_through(client, provider, person)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(cast.teacher.pk)
    assert client.session["_auth_user_backend"] == "accounts.oidc.AgencyOIDCBackend"
    assert response["Location"] == "/"
    # Audited like a password sign-in: django-axes logs the successful sign-in with where it came from.
    assert AccessLog.objects.filter(username=cast.teacher.username, path_info="/accounts/oidc/callback/").exists()


def test_the_start_sends_state_nonce_and_pkce_and_the_callback_address(
    cast: Cast, client: Client, provider: Any
) -> None:
    start = client.get(f"/accounts/oidc/{SLUG}/start/")

    query = {key: values[0] for key, values in parse_qs(urlsplit(start["Location"]).query).items()}
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["scope"] == "openid email"
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    # The flow remembers which provider it went to, beside its state.
    assert client.session["oidc_states"][query["state"]]["provider"] == SLUG


def test_the_token_request_proves_the_pkce_verifier(cast: Cast, client: Client, provider: Any) -> None:
    sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    (token_request,) = provider.token_requests
    assert token_request["code_verifier"]  # the fake provider refuses a code whose verifier does not match
    assert signed_in_user_id(client) == str(cast.teacher.pk)


def test_the_page_asked_for_before_sign_in_is_kept(cast: Cast, client: Client, provider: Any) -> None:
    provider.person = FakePerson(email=cast.teacher.email)
    callback = walk_to_callback(client, provider, "?" + urlencode({"next": f"/cases/{cast.case.pk}/"}))

    response = client.get(callback)

    assert signed_in_user_id(client) == str(cast.teacher.pk)
    assert response["Location"] == f"/cases/{cast.case.pk}/"


def test_a_page_elsewhere_is_not_a_place_to_return_to(cast: Cast, client: Client, provider: Any) -> None:
    provider.person = FakePerson(email=cast.teacher.email)
    callback = walk_to_callback(client, provider, "?next=https://evil.example/")

    response = client.get(callback)

    assert signed_in_user_id(client) == str(cast.teacher.pk)
    assert "evil.example" not in response["Location"]


# The second factor


def test_ecm_still_asks_for_its_own_second_factor_by_default(cast: Cast, client: Client, provider: Any) -> None:
    # The provider says it asked for one, but this provider is not trusted to stand in for ECM's.
    sign_in_through(client, provider, FakePerson(email=cast.teacher.email, amr=["pwd", "mfa"]))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    assert signed_in_user_id(client) == str(cast.teacher.pk)


@pytest.mark.parametrize("amr", [["pwd", "mfa"], ["otp"], ["hwk", "pwd"]], ids=["mfa", "otp", "hwk"])
def test_a_trusted_provider_s_second_factor_stands_in_for_ecm_s(cast: Cast, client: Client, amr: list[str]) -> None:
    with FakeOidcProvider() as provider:
        entry = provider.settings_entry(agency=cast.school.name, label=LABEL, trust_provider_mfa=True)
        with override_settings(ECM_OIDC_PROVIDERS={SLUG: entry}):
            sign_in_through(client, provider, FakePerson(email=cast.teacher.email, amr=amr))

    assert client.get("/").status_code == 200
    assert client.session[mfa.SESSION_KEY]["method"] == "oidc"


def test_a_trusted_provider_that_asked_for_a_password_only_leaves_ecm_s_second_factor(
    cast: Cast, client: Client
) -> None:
    with FakeOidcProvider() as provider:
        entry = provider.settings_entry(agency=cast.school.name, label=LABEL, trust_provider_mfa=True)
        with override_settings(ECM_OIDC_PROVIDERS={SLUG: entry}):
            sign_in_through(client, provider, FakePerson(email=cast.teacher.email, amr=["pwd"]))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))


# People the provider cannot sign in


def test_an_unverified_email_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email, email_verified=False))
    assert_refused_without_an_account(response, client)


@pytest.mark.parametrize("verified", ["false", None, 1, "yes"], ids=["string-false", "missing", "one", "yes"])
def test_only_a_true_email_verified_counts(cast: Cast, client: Client, provider: Any, verified: Any) -> None:
    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email, email_verified=verified))
    assert_refused_without_an_account(response, client)


def test_an_unknown_email_is_refused_and_no_account_is_made(cast: Cast, client: Client, provider: Any) -> None:
    people_before = User.objects.count()

    response = sign_in_through(client, provider, FakePerson(email="nobody.here@fernbrook.example"))

    assert_refused_without_an_account(response, client)
    assert User.objects.count() == people_before
    assert not User.objects.filter(email__iexact="nobody.here@fernbrook.example").exists()


def test_the_provider_cannot_sign_in_a_person_of_another_agency(cast: Cast, client: Client, provider: Any) -> None:
    # Sam Okafor exists and is active, but in Bristol YJS: Fernbrook's provider does not vouch for him.
    refused = sign_in_through(client, provider, FakePerson(email=cast.case_manager.email))
    unknown = sign_in_through(Client(), provider, FakePerson(email="nobody.here@fernbrook.example"))

    assert_refused_without_an_account(refused, client)
    # The same page as for an address ECM does not know: nothing tells the two apart.
    assert refused.content == unknown.content


def test_an_inactive_person_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    User.objects.filter(pk=cast.teacher.pk).update(is_active=False)

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert_refused_without_an_account(response, client)


def test_a_person_whose_membership_ended_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    Membership.objects.filter(user=cast.teacher, agency=cast.school).update(is_active=False)

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert_refused_without_an_account(response, client)


def test_a_deactivated_agency_signs_nobody_in(cast: Cast, client: Client, provider: Any) -> None:
    type(cast.school).objects.filter(pk=cast.school.pk).update(is_active=False)

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert_refused_without_an_account(response, client)


def test_demo_people_are_refused_where_demo_logins_are_off(cast: Cast, client: Client, provider: Any) -> None:
    User.objects.filter(pk=cast.teacher.pk).update(is_demo=True)

    with override_settings(DEMO_LOGINS_ALLOWED=False):
        refused = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))
    assert_refused_without_an_account(refused, client)

    with override_settings(DEMO_LOGINS_ALLOWED=True):
        sign_in_through(client, provider, FakePerson(email=cast.teacher.email))
    assert signed_in_user_id(client) == str(cast.teacher.pk)


def test_a_session_ends_when_the_person_is_deactivated(cast: Cast, client: Client, provider: Any) -> None:
    sign_in_through(client, provider, FakePerson(email=cast.teacher.email))
    assert signed_in_user_id(client) == str(cast.teacher.pk)

    User.objects.filter(pk=cast.teacher.pk).update(is_active=False)

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


# A provider (or someone in between) that misbehaves


def test_an_id_token_signed_with_another_key_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    provider.signing_key = new_signing_key()  # same key id, different key: a forgery

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert response.status_code == 400
    assert DID_NOT_COMPLETE in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    "spoiled",
    [{"aud": "another-client"}, {"nonce": "not-the-nonce-we-sent"}, {"iss": "https://elsewhere.example"}],
    ids=["audience", "nonce", "issuer"],
)
def test_an_id_token_meant_for_another_sign_in_is_refused(
    cast: Cast, client: Client, provider: Any, spoiled: dict[str, str]
) -> None:
    provider.extra_claims = spoiled

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert response.status_code == 400
    assert DID_NOT_COMPLETE in response.content.decode()
    assert signed_in_user_id(client) is None


def test_an_expired_id_token_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    provider.extra_claims = {"exp": 1_700_000_000}  # November 2023

    response = sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_a_callback_whose_state_does_not_match_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    provider.person = FakePerson(email=cast.teacher.email)
    callback = urlsplit(walk_to_callback(client, provider))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}

    response = client.get(callback.path, {"code": query["code"], "state": "a-state-this-browser-never-sent"})

    assert response.status_code == 400
    assert DID_NOT_COMPLETE in response.content.decode()
    assert signed_in_user_id(client) is None
    assert provider.token_requests == []  # the code was never even exchanged


def test_a_callback_in_another_browser_is_refused(cast: Cast, client: Client, provider: Any) -> None:
    # Login CSRF: an attacker's own code and state, delivered to a victim's browser, sign nobody in.
    provider.person = FakePerson(email=cast.teacher.email)
    callback = walk_to_callback(client, provider)
    victim = Client()

    response = victim.get(callback)

    assert response.status_code == 400
    assert victim.session.get("_auth_user_id") is None


def test_a_callback_cannot_be_replayed(cast: Cast, client: Client, provider: Any) -> None:
    provider.person = FakePerson(email=cast.teacher.email)
    callback = walk_to_callback(client, provider)
    client.get(callback)
    client.logout()

    response = client.get(callback)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_the_provider_refusing_is_explained(cast: Cast, client: Client, provider: Any) -> None:
    start = client.get(f"/accounts/oidc/{SLUG}/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get("/accounts/oidc/callback/", {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert DID_NOT_COMPLETE in response.content.decode()
    assert state not in client.session["oidc_states"]


def test_an_unreachable_provider_is_a_page_not_a_crash(cast: Cast, client: Client, provider: Any) -> None:
    provider.person = FakePerson(email=cast.teacher.email)
    callback = walk_to_callback(client, provider)
    entry = provider.settings_entry(agency=cast.school.name, label=LABEL, token_endpoint="http://127.0.0.1:9/token")

    with override_settings(ECM_OIDC_PROVIDERS={SLUG: entry}):
        response = client.get(callback)

    assert response.status_code == 400
    assert DID_NOT_COMPLETE in response.content.decode()


def test_failed_sign_ins_are_recorded_for_the_lockout_against_their_address(
    cast: Cast, client: Client, provider: Any
) -> None:
    sign_in_through(client, provider, FakePerson(email="Nobody.Here@fernbrook.example"))

    attempt = AccessAttempt.objects.get(path_info="/accounts/oidc/callback/")
    assert attempt.username == "nobody.here@fernbrook.example"


def test_others_failures_from_the_same_address_do_not_lock_a_person_out(
    cast: Cast, client: Client, provider: Any
) -> None:
    # A school behind one IP address: six people without ECM accounts try, then Helen signs in.
    for number in range(6):
        sign_in_through(Client(), provider, FakePerson(email=f"no.account.{number}@fernbrook.example"))

    sign_in_through(client, provider, FakePerson(email=cast.teacher.email))

    assert signed_in_user_id(client) == str(cast.teacher.pk)


def test_one_address_failing_again_and_again_is_locked_out(cast: Cast, client: Client, provider: Any) -> None:
    for _ in range(5):
        sign_in_through(Client(), provider, FakePerson(email="no.account@fernbrook.example"))

    response = sign_in_through(client, provider, FakePerson(email="no.account@fernbrook.example"))

    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()


# Configuration and the sign-in page


def test_an_unknown_provider_answers_404(cast: Cast, client: Client) -> None:
    assert client.get("/accounts/oidc/nowhere/start/").status_code == 404


def test_the_buttons_show_each_configured_provider(cast: Cast, provider: Any) -> None:
    html = render_to_string("accounts/includes/oidc_buttons.html", {"next": "/cases/"})

    assert f"Sign in with {LABEL}" in html
    assert f'href="/accounts/oidc/{SLUG}/start/?next=/cases/"' in html
    assert "govuk-button--secondary" in html


def test_the_sign_in_page_offers_the_provider(cast: Cast, client: Client, provider: Any) -> None:
    page = client.get("/accounts/sign-in/", {"next": "/cases/"}).content.decode()

    assert f"Sign in with {LABEL}" in page
    assert f"/accounts/oidc/{SLUG}/start/?next=/cases/" in page


def test_the_sign_in_page_has_no_provider_buttons_by_default(cast: Cast, client: Client) -> None:
    page = client.get("/accounts/sign-in/").content.decode()

    assert "Sign in with" not in page
    assert "/accounts/oidc/" not in page


def test_no_buttons_without_providers(cast: Cast) -> None:
    with override_settings(ECM_OIDC_PROVIDERS={}):
        assert render_to_string("accounts/includes/oidc_buttons.html", {}).strip() == ""


def test_a_provider_entry_missing_keys_is_named_at_start_up() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"ECM_OIDC_PROVIDERS\['fernbrook'\] is missing required keys: "):
        oidc_providers_parse({"fernbrook": {"agency": "Fernbrook Academy", "label": "Fernbrook"}})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sign_algo": "HS256"}, "sign_algo must be one of"),
        ({"token_endpoint": "ftp://idp.example/token"}, "token_endpoint must be an http(s) URL"),
        ({"trust_provider_mfa": "yes"}, "trust_provider_mfa must be true or false"),
        ({"client_secret": ""}, "missing required keys: client_secret"),
        ({"tenant": "x"}, "unknown keys: tenant"),
    ],
    ids=["symmetric-algorithm", "endpoint", "trust-flag", "empty-secret", "unknown-key"],
)
def test_a_wrong_provider_entry_is_explained(change: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        oidc_providers_parse({"fernbrook": {**ENTRY, **change}})


def test_a_slug_that_cannot_be_a_url_part_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="the slug must be lower-case letters"):
        oidc_providers_parse({"Fern Brook": {}})


def test_production_refuses_an_unsafe_provider_configuration() -> None:
    entry = {**ENTRY, "authorization_endpoint": "http://idp.example/authorize"}

    plain_http = _manage("check", env={**GOOD_ENV, "ECM_OIDC_PROVIDERS": json.dumps({"fernbrook": entry})})
    not_json = _manage("check", env={**GOOD_ENV, "ECM_OIDC_PROVIDERS": "{fernbrook: "})

    assert plain_http.returncode != 0
    assert "authorization_endpoint must be an https URL in production" in plain_http.stderr
    assert not_json.returncode != 0
    assert "ECM_OIDC_PROVIDERS is not valid JSON" in not_json.stderr
