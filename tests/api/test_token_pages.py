"""The administration area's API token pages: create (the secret shown once), list, revoke; who may do it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.api_tokens import ApiToken
from tests.api.helpers import TokenClient, issue
from tests.authz.api import OUT_OF_AGENCY_REVOKE
from tests.authz.core import mismatches_for
from tests.conftest import Cast


def _signed_in(person: object) -> Client:
    client = Client()
    client.force_login(person)  # type: ignore[arg-type]
    return client


def _form(cast: Cast, **changes: object) -> dict[str, object]:
    return {
        "person": "priya",
        "agency": str(cast.bristol.pk),
        "name": "Bristol case system",
        "scopes": ["read", "write"],
        "expires_on_day": "",
        "expires_on_month": "",
        "expires_on_year": "",
        **changes,
    }


def test_an_administrator_creates_a_token_and_sees_it_once(cast: Cast) -> None:
    client = _signed_in(cast.agency_administrator)
    response = client.post("/manage/api-tokens/new/", _form(cast))
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("ecm_") and secret in response.content.decode()
    assert "You will not see it again" in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.agency, token.created_by) == (cast.colleague, cast.bristol, cast.agency_administrator)
    assert sorted(token.scopes) == ["read", "write"]
    # The list shows its start, never the secret.
    listing = client.get("/manage/api-tokens/").content.decode()
    assert token.prefix in listing and secret not in listing
    # The token works as its person.
    assert TokenClient(secret).get("/api/v1/cases/").status_code == 200
    # Its creation is in the history, with who issued it.
    event = token.history.get(pgh_label="insert")  # type: ignore[attr-defined]
    assert event.pgh_context.metadata["user"] == cast.agency_administrator.pk


def test_the_form_shows_errors_in_the_summary(cast: Cast) -> None:
    client = _signed_in(cast.administrator)
    response = client.post("/manage/api-tokens/new/", _form(cast, person="", name="", scopes=[]))
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert "Enter the username or e-mail address of the person the token is for" in body
    assert "Choose what the token may do" in body
    assert not ApiToken.objects.exists()


def test_an_expiry_beyond_a_year_is_refused(cast: Cast) -> None:
    client = _signed_in(cast.administrator)
    response = client.post(
        "/manage/api-tokens/new/", _form(cast, expires_on_day="1", expires_on_month="1", expires_on_year="2099")
    )
    assert "The expiry date must be within a year of today" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_agency_administrator_cannot_issue_for_someone_outside_their_agency(cast: Cast) -> None:
    client = _signed_in(cast.agency_administrator)
    response = client.post("/manage/api-tokens/new/", _form(cast, person="tom", agency=str(cast.bristol.pk)))
    assert "among the people you manage" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_person_must_be_a_member_of_the_tokens_agency(cast: Cast) -> None:
    client = _signed_in(cast.administrator)
    response = client.post("/manage/api-tokens/new/", _form(cast, agency=str(cast.banes.pk)))
    assert "is not an active member of BANES YJS" in response.content.decode()


def test_revoking_asks_first_then_stops_the_token(cast: Cast) -> None:
    issued = issue(cast.colleague, cast=cast)
    client = _signed_in(cast.agency_administrator)
    page = client.get(f"/manage/api-tokens/{issued.token.pk}/revoke/")
    assert page.status_code == 200 and "Revoke the token" in page.content.decode()
    assert TokenClient(issued.secret).get("/api/v1/cases/").status_code == 200
    response = client.post(f"/manage/api-tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.revoked_by == cast.agency_administrator
    assert TokenClient(issued.secret).get("/api/v1/cases/").status_code == 401
    again = client.post(f"/manage/api-tokens/{issued.token.pk}/revoke/")
    assert again.status_code == 200 and "already revoked" in again.content.decode()


def test_another_agencys_token_does_not_exist_for_an_agency_administrator(cast: Cast) -> None:
    mismatches = mismatches_for(cast, OUT_OF_AGENCY_REVOKE)
    assert not mismatches, "; ".join(mismatches)


@pytest.mark.parametrize("who", ["case_manager", "teacher", "commissioner"])
def test_only_administrators_reach_the_token_pages(cast: Cast, who: str) -> None:
    client = _signed_in(getattr(cast, who))
    assert client.get("/manage/api-tokens/").status_code == 403
    assert client.post("/manage/api-tokens/new/", _form(cast)).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_list_query_count_is_pinned(cast: Cast, django_assert_max_num_queries) -> None:
    for number in range(30):
        issue(cast.colleague if number % 2 else cast.case_manager, cast=cast, name=f"System {number}")
    client = _signed_in(cast.administrator)
    client.get("/manage/")  # the session's first request reads what every page reads once
    with django_assert_max_num_queries(12):
        response = client.get("/manage/api-tokens/")
    assert response.content.decode().count("ecm_") == 30
