"""The API's framework (core/api/): tokens, scopes, 401/403/404, cursor pages, ETags, rate limits, the log."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from accounts.api_tokens import ApiToken, api_token_authenticate, api_token_revoke
from accounts.models import AccessEvent
from accounts.services import membership_end, user_deactivate
from tests.api.helpers import TokenClient, bearer, issue, token_client
from tests.conftest import Cast
from tests.factories import make_case


def test_a_token_reads_what_its_person_sees(cast: Cast) -> None:
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    client = token_client(cast.teacher, cast=cast, scopes=("read",))
    body = client.get("/api/v1/cases/").json()
    assert [case["id"] for case in body["results"]] == [cast.case.pk]
    assert body["results"][0]["child_name"] == "Kai Brennan"


def test_the_secret_is_stored_only_as_its_hash(cast: Cast) -> None:
    issued = issue(cast.case_manager, cast=cast)
    assert issued.secret.startswith(f"ecm_{issued.token.key_id}_")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret not in {stored.secret_hash, stored.key_id, stored.name}
    assert len(stored.secret_hash) == 64


def test_no_credentials_is_401_with_a_bearer_challenge(cast: Cast) -> None:
    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("secret", ["ecm_nothing_here", "not-a-token", "ecm__", "ecm_abc"])
def test_an_unknown_or_malformed_token_is_401(cast: Cast, secret: str) -> None:
    assert Client().get("/api/v1/cases/", headers=bearer(secret)).status_code == 401


def test_a_token_with_a_wrong_secret_is_401(cast: Cast) -> None:
    issued = issue(cast.case_manager, cast=cast)
    assert Client().get("/api/v1/cases/", headers=bearer(issued.secret[:-2] + "xx")).status_code == 401


def test_a_revoked_token_is_401(cast: Cast) -> None:
    issued = issue(cast.case_manager, cast=cast)
    client = TokenClient(issued.secret)
    assert client.get("/api/v1/cases/").status_code == 200
    api_token_revoke(token=issued.token, actor=cast.administrator)
    assert client.get("/api/v1/cases/").status_code == 401
    with pytest.raises(ValidationError):
        api_token_revoke(token=issued.token, actor=cast.administrator)


def test_an_expired_token_is_401(cast: Cast) -> None:
    issued = issue(cast.case_manager, cast=cast, expires_on=timezone.localdate() + dt.timedelta(days=2))
    client = TokenClient(issued.secret)
    assert client.get("/api/v1/cases/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        assert client.get("/api/v1/cases/").status_code == 401


def test_a_leavers_token_stops_with_their_sign_in(cast: Cast) -> None:
    client = token_client(cast.colleague, cast=cast)
    assert client.get("/api/v1/cases/").status_code == 200
    user_deactivate(user=cast.colleague, actor=cast.administrator)
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_token_stops_when_its_person_leaves_its_agency(cast: Cast) -> None:
    issued = issue(cast.colleague, cast=cast)
    assert api_token_authenticate(issued.secret) is not None
    membership_end(membership=cast.colleague.memberships.get(), actor=cast.administrator)
    assert api_token_authenticate(issued.secret) is None


def test_a_token_cannot_be_issued_for_a_leaver_or_beyond_a_year(cast: Cast) -> None:
    with pytest.raises(ValidationError) as error:
        issue(cast.colleague, cast=cast, expires_on=timezone.localdate() + dt.timedelta(days=400))
    assert "expires_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        issue(cast.colleague, cast=cast, agency=cast.banes)
    assert "agency" in error.value.message_dict


def test_a_read_token_may_not_write_403(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast, scopes=("read",))
    assert client.post("/api/v1/cases/", {}, content_type="application/json").status_code == 403


def test_a_write_only_token_may_not_read_403(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast, scopes=("write",))
    assert client.get("/api/v1/cases/").status_code == 403


def test_a_case_one_may_not_see_is_404_not_403(cast: Cast) -> None:
    client = token_client(cast.banes_case_manager, cast=cast)
    assert client.get(f"/api/v1/cases/{cast.case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/987654321/").status_code == 404


def test_last_used_is_noted(cast: Cast) -> None:
    issued = issue(cast.case_manager, cast=cast)
    assert issued.token.last_used_at is None
    TokenClient(issued.secret).get("/api/v1/cases/")
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_the_list_pages_by_cursor(cast: Cast) -> None:
    for _ in range(4):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client = token_client(cast.case_manager, cast=cast)
    first = client.get("/api/v1/cases/?page_size=3").json()
    assert len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    ids = [case["id"] for case in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5


def test_a_bad_filter_is_400_naming_the_field(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    response = client.get("/api/v1/cases/?status=archived")
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_detail_has_an_etag_that_changes_with_the_record(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    first = client.get(f"/api/v1/cases/{cast.case.pk}/")
    assert first["ETag"].startswith('"')
    cast.case.case_holder = cast.colleague
    cast.case.save(update_fields=["case_holder"])
    assert client.get(f"/api/v1/cases/{cast.case.pk}/")["ETag"] != first["ETag"]


def test_every_read_is_in_the_access_log(cast: Cast) -> None:
    client = token_client(cast.psychologist, cast=cast)
    client.get("/api/v1/cases/")
    client.get(f"/api/v1/cases/{cast.case.pk}/")
    events = list(AccessEvent.objects.filter(user=cast.psychologist).order_by("id"))
    assert [(e.description, e.path) for e in events] == [
        ("case list API", "/api/v1/cases/"),
        ("view", f"/api/v1/cases/{cast.case.pk}/"),
    ]
    assert events[0].case_ids == [cast.case.pk]


@override_settings(ECM_RATE_LIMITS={"api": "2/m", "search": "30/m"})
def test_the_rate_limit_is_per_token(cast: Cast) -> None:
    one, other = token_client(cast.case_manager, cast=cast), token_client(cast.case_manager, cast=cast)
    assert [one.get("/api/v1/cases/").status_code for _ in range(3)] == [200, 200, 429]
    assert other.get("/api/v1/cases/").status_code == 200


def test_the_session_still_works_for_the_browsable_api(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    assert client.get("/api/v1/cases/", HTTP_ACCEPT="text/html").status_code == 200
