"""The API answers through the same access module as the pages."""

from __future__ import annotations

from django.test import Client

from accounts.models import AccessEvent
from tests.conftest import Cast
from tests.factories import make_case


def test_case_list_api_is_scoped(cast: Cast, client: Client) -> None:
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    client.force_login(cast.teacher)
    body = client.get("/api/v1/cases/").json()
    assert len(body["results"]) == 1 and body["next"] is None  # cursor pages: no count (core/api/pagination.py)
    assert body["results"][0]["child_name"] == "Kai Brennan"
    assert set(body["results"][0]) == {"id", "child_name", "owning_yjs", "case_holder", "status", "opened_at"}


def test_case_detail_api_logs_the_read_and_hides_invisible_cases(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    assert client.get(f"/api/v1/cases/{cast.case.pk}/").json()["id"] == cast.case.pk
    assert AccessEvent.objects.filter(user=cast.psychologist, case_id=cast.case.pk, action="view").count() == 1
    client.force_login(cast.banes_case_manager)
    assert client.get(f"/api/v1/cases/{cast.case.pk}/").status_code == 404


def test_case_list_api_query_count_is_pinned(cast: Cast, client: Client, django_assert_max_num_queries) -> None:
    for _ in range(30):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client.force_login(cast.psychologist)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 31


def test_openapi_schema_describes_the_case_endpoints(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/cases/{case_id}/" in schema
