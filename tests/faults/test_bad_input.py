"""Bad input never answers 500: out-of-range ids, NUL bytes, malformed filters, impossible dates, oversized posts."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import AccessEvent
from tests.authz.core import ANON, PEOPLE
from tests.conftest import Cast

pytestmark = pytest.mark.faults

HUGE_ID = "99999999999999999999"  # over PostgreSQL's bigint (2**63 - 1)
FIRST_OUT_OF_RANGE = str(2**63)
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
ID_CONVERTERS = {"int", "id"}


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.extend(_routes(pattern.url_patterns, route))
        else:
            routes.append(route)
    return routes


def _id_routes() -> list[str]:
    """Every URL of the project that takes a record id."""
    routes = [
        route
        for route in _routes(get_resolver().url_patterns)
        if any(match["converter"] in ID_CONVERTERS for match in PARAMETER.finditer(route))
    ]
    assert len(routes) > 60, routes  # the walk really covers the project
    return routes


def _with_ids(route: str, value: str) -> str:
    """The route with `value` for every id and a plausible word for every other parameter."""
    return "/" + PARAMETER.sub(lambda match: value if match["converter"] in ID_CONVERTERS else "summary", route)


@pytest.mark.parametrize(
    ("value", "who_asks"),
    [
        (HUGE_ID, [ANON, *PEOPLE]),
        # The boundary and zero, for the holder, a clinician and an administrator (the walk is not quick).
        (FIRST_OUT_OF_RANGE, ["case_manager", "psychologist", "administrator"]),
        ("0", ["case_manager", "psychologist", "administrator"]),
    ],
    ids=["huge", "first-out-of-range", "zero"],
)
def test_out_of_range_ids_answer_404_for_everyone_on_every_url(cast: Cast, value: str, who_asks: list[str]) -> None:
    people = cast.everyone()
    failures = []
    for who in who_asks:
        client = Client(raise_request_exception=False)
        if who != ANON:
            client.force_login(people[who])
        for route in _id_routes():
            url = _with_ids(route, value)
            for method in ("get", "post"):
                status = getattr(client, method)(url).status_code
                if status != 404:
                    failures.append(f"{who} {method.upper()} {url}: {status}")
    assert not failures, f"{len(failures)} answers were not 404:\n" + "\n".join(failures[:40])
    assert not AccessEvent.objects.filter(record_id=value).exists()


def test_the_largest_id_postgresql_holds_is_still_an_ordinary_not_found(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    largest = 2**63 - 1
    assert client.get(f"/cases/{largest}/").status_code == 404
    assert client.get(f"/api/v1/cases/{largest}/").status_code == 404
    # A real id that is not yours is still logged as a refusal, with the id as typed.
    refused = AccessEvent.objects.get(record_id=str(largest), action="denied", path=f"/cases/{largest}/")
    assert refused.case_id == largest


def test_negative_ids_are_not_found(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    for url in ("/cases/-1/", "/cases/-1/child/", "/api/v1/cases/-1/", "/manage/people/-5/"):
        assert client.get(url).status_code == 404, url


def test_the_access_getter_refuses_ids_postgresql_cannot_hold(cast: Cast) -> None:
    from django.http import Http404

    from cases import access

    for value in (HUGE_ID, FIRST_OUT_OF_RANGE, "0", "-3", "12a", 10**30):
        with pytest.raises(Http404):
            access.get_case_for(cast.case_manager, value, access.Action.VIEW)
        with pytest.raises(Http404):
            access.get_person_for(cast.administrator, value)
    assert not AccessEvent.objects.filter(record_id__in=[HUGE_ID, FIRST_OUT_OF_RANGE, str(10**30)]).exists()


def test_a_known_child_chosen_by_an_impossible_id_is_not_found(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    response = client.post("/referrals/new/", {"use_child": HUGE_ID})
    assert response.status_code == 404


# NUL bytes and malformed filters.

NUL_QUERY = "q=%00&status=%00&kind=%00&mine=%00&page=%00&version=%00&section=%00&start_day=%00&agency=%00"
MALFORMED_QUERY = (
    "q=" + "x" * 3000 + "&status=zzz&kind=zzz&mine=maybe&page=-7&version=abc&section=..%2F..&start_day=99"
    "&start_month=13&start_year=0001&agency=99999999999999999999&role=%E2%80%AE&next=%2F%2Fevil.example"
)


def _get_pages(cast: Cast) -> list[str]:
    """Every page of the project reached by GET, with the cast's own ids (from the authorization matrix)."""
    from tests.test_authorization_matrix import MATRIX

    return sorted({row.path(cast).split("?")[0] for row in MATRIX.values() if row.method == "get"})


@pytest.mark.parametrize("who", ["case_manager", "psychologist", "administrator"])
def test_a_nul_byte_in_any_filter_of_any_page_answers_400_not_500(cast: Cast, who: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.everyone()[who])
    pages = _get_pages(cast)
    assert len(pages) > 60
    answers = {page: client.get(f"{page}?{NUL_QUERY}") for page in pages}
    wrong = {page: response.status_code for page, response in answers.items() if response.status_code != 400}
    assert not wrong, wrong
    html = answers["/cases/"].content.decode()
    assert "govuk-heading-l" in html and "NUL" in html
    assert answers["/api/v1/cases/"].json()["detail"].startswith("The request contained a character")


@pytest.mark.parametrize("who", ["case_manager", "psychologist", "administrator", "commissioner"])
def test_malformed_filters_on_any_page_never_answer_500(cast: Cast, who: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.everyone()[who])
    failures = {}
    for page in _get_pages(cast):
        status = client.get(f"{page}?{MALFORMED_QUERY}").status_code
        # /health/ answers 503 when a part it checks is down (no Celery worker runs here): that is its JSON.
        if status >= 500 and not (page == "/health/" and status == 503):
            failures[page] = status
    assert not failures, failures


def test_the_api_refuses_an_unknown_status_with_a_message(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    response = client.get("/api/v1/cases/?status=%00")
    assert response.status_code == 400 and "detail" in response.json()
    response = client.get("/api/v1/cases/?status=archived")
    assert response.status_code == 400
    assert response.json() == {"status": ["Status must be one of: open, closed, or left out"]}
    assert [case["id"] for case in client.get("/api/v1/cases/?status=open").json()["results"]] == [cast.case.pk]


def test_a_nul_byte_typed_into_a_form_answers_400_and_saves_nothing(cast: Cast) -> None:
    from cases.models import Contact
    from tests.cases.helpers import contact_form

    client = Client(raise_request_exception=False)
    client.force_login(cast.case_manager)
    response = client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form(note="Kai was calm\x00 today."))
    assert response.status_code == 400
    assert "Sorry, there is a problem with what was sent" in response.content.decode()
    assert not Contact.objects.filter(case=cast.case).exists()
    # The same form without the NUL byte saves.
    assert client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form()).status_code == 302


def test_a_nul_byte_in_a_header_answers_400_and_nothing_is_logged(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.case_manager)
    assert client.get(f"/cases/{cast.case.pk}/", headers={"user-agent": "Bot\x00"}).status_code == 400
    assert not AccessEvent.objects.filter(user_agent__startswith="Bot").exists()


# Dates of birth: one field, the same bounds on the child's page and on the referral.


def _child_details(**overrides: str) -> dict[str, str]:
    from tests.cases.test_child_details import details

    return details(**overrides)


def _find_child(**overrides: str) -> dict[str, str]:
    return {
        "step": "find",
        "given_name": "Noah",
        "family_name": "Pell",
        "date_of_birth_day": "3",
        "date_of_birth_month": "4",
        "date_of_birth_year": "2011",
        "reference": "",
        **overrides,
    }


def _tomorrow() -> dict[str, str]:
    import datetime as dt

    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return {
        "date_of_birth_day": str(tomorrow.day),
        "date_of_birth_month": str(tomorrow.month),
        "date_of_birth_year": str(tomorrow.year),
    }


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"date_of_birth_year": "0001"}, "Date of birth must be for a child or young person aged 25 or under"),
        ({"date_of_birth_year": "1990"}, "Date of birth must be for a child or young person aged 25 or under"),
        ({"date_of_birth_year": "999"}, "Date of birth must be a real date"),
        ("tomorrow", "Date of birth must be today or in the past"),
    ],
    ids=["year-0001", "too-old", "three-digit-year", "tomorrow"],
)
def test_both_forms_bound_the_date_of_birth_the_same(cast: Cast, client: Client, typed: object, message: str) -> None:
    from cases.models import Child

    overrides = _tomorrow() if typed == "tomorrow" else typed
    assert isinstance(overrides, dict)
    client.force_login(cast.case_manager)
    child_page = client.post(f"/cases/{cast.case.pk}/child/", _child_details(**overrides))
    referral_page = client.post("/referrals/new/", _find_child(**overrides))
    for response in (child_page, referral_page):
        assert response.status_code == 200
        assert f'<a href="#id_date_of_birth">{message}</a>' in response.content.decode()
    assert Child.objects.get(pk=cast.case.child_id).date_of_birth.year == 2010  # unchanged
    assert not Child.objects.filter(given_name="Noah").exists()


def test_a_child_already_recorded_as_over_25_can_still_have_other_details_changed(cast: Cast, client: Client) -> None:
    """The age bound is for dates typed in: a young person who turned 26 on an open case keeps a usable record."""
    import datetime as dt

    from cases.models import Child

    Child.objects.filter(pk=cast.case.child_id).update(date_of_birth=dt.date(1998, 1, 9))
    client.force_login(cast.case_manager)
    kept = {"date_of_birth_day": "9", "date_of_birth_month": "1", "date_of_birth_year": "1998"}
    assert (
        client.post(f"/cases/{cast.case.pk}/child/", _child_details(school="Avon College", **kept)).status_code == 302
    )
    assert Child.objects.get(pk=cast.case.child_id).school == "Avon College"


# An oversized post.


def test_a_post_over_the_upload_limit_shows_the_govuk_page_saying_the_text_was_too_long(
    cast: Cast, settings: object
) -> None:
    from django.conf import settings as django_settings

    from cases.models import Contact
    from tests.cases.helpers import contact_form

    client = Client(raise_request_exception=False)
    client.force_login(cast.case_manager)
    too_long = "Kai talked about his week. " * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 20)
    response = client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form(note=too_long))
    body = response.content.decode()
    assert response.status_code == 400
    assert "<title>The text was too long to save – Enhanced Case Management</title>" in body
    assert "govuk-heading-l" in body and "back button" in body
    assert not Contact.objects.filter(case=cast.case).exists()
