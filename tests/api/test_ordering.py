"""`?ordering=` on the lists whose people choose the order (core.api.pagination): each choice in order across
cursor pages, anything else a 400 naming the parameter, and the choices in the schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseStatus
from cases.selectors import CaseloadFilters, case_summaries
from core.api.pagination import by_id_or
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import log_contact, make_case


def _all_pages(client: Client, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen_pages = 0
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        rows += answer.json()["results"]
        url = answer.json()["next"]
        seen_pages += 1
    assert seen_pages > 1, "the test needs more than one page"
    return rows


def test_cases_by_when_they_opened_across_cursor_pages(cast: Cast) -> None:
    now = timezone.now()
    # Opened in the reverse order of their ids, so the two orders differ.
    for days in range(5):
        case = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
        Case.objects.filter(pk=case.pk).update(opened_at=now - dt.timedelta(days=10 + days))
    client = token_client(cast.colleague, cast=cast)
    oldest_first = _all_pages(client, "/api/v1/cases/?ordering=opened_at&page_size=2")
    opened = [row["opened_at"] for row in oldest_first]
    assert opened == sorted(opened) and len(oldest_first) == Case.objects.filter(owning_yjs=cast.bristol).count()
    newest_id_first = _all_pages(client, "/api/v1/cases/?page_size=2")
    assert [row["id"] for row in newest_id_first] == sorted((row["id"] for row in newest_id_first), reverse=True)
    assert [row["id"] for row in oldest_first] != [row["id"] for row in reversed(newest_id_first)]


def test_contacts_by_when_they_happened(cast: Cast) -> None:
    for days_ago in (1, 9, 4):
        log_contact(cast.case, cast.case_manager, with_whom="Kai", days_ago=days_ago)
    url = f"/api/v1/cases/{cast.case.pk}/contacts/?ordering=occurred_at"
    rows = token_client(cast.case_manager, cast=cast).get(url)
    happened = [row["occurred_at"] for row in rows.json()["results"]]
    assert len(happened) >= 3 and happened == sorted(happened)


def test_an_order_not_offered_is_a_400_naming_the_parameter(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    answer = client.get("/api/v1/cases/?ordering=child__family_name")
    assert answer.status_code == 400
    assert "opened_at" in answer.json()["ordering"][0]
    # A list with one order refuses any.
    assert client.get("/api/v1/notifications/?ordering=id").status_code == 400


def test_the_schema_offers_the_choices(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    schema = client.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    [ordering] = [parameter for parameter in parameters if parameter["name"] == "ordering"]
    assert set(ordering["schema"]["enum"]) == {"-id", "id", "-opened_at", "opened_at"}


def test_a_first_page_read_from_compiled_sql_is_the_lists_first_rows(cast: Cast) -> None:
    """The case list's first page (no cursor) comes from SQL compiled once per person's access, filters and order
    (cases.selectors.case_summaries_first), later pages from the queryset: the first must be exactly the
    queryset's first rows, for every order and filter, and a page's `next` must carry on from it."""
    now = timezone.now()
    for days in range(4):
        case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager if days % 2 else cast.colleague)
        Case.objects.filter(pk=case.pk).update(opened_at=now - dt.timedelta(days=20 - days * 3))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    client = token_client(cast.case_manager, cast=cast)
    for ordering in ("", "id", "-id", "opened_at", "-opened_at"):
        order = by_id_or("opened_at").get(ordering, ("-id",))
        for query, filters in (
            ("", {"status": ""}),
            ("&status=closed", {"status": "closed"}),
            ("&held_by_me=true", {"status": "", "held_by_me": True}),
        ):
            asked = CaseloadFilters(**filters)
            expected = [row["id"] for row in case_summaries(user=cast.case_manager, filters=asked).order_by(*order)]
            answer = client.get(f"/api/v1/cases/?ordering={ordering}&page_size=2{query}".replace("ordering=&", ""))
            assert answer.status_code == 200, answer.content
            page = answer.json()
            assert [row["id"] for row in page["results"]] == expected[:2], (ordering, query)
            assert (page["next"] is None) == (len(expected) <= 2)
            if page["next"]:
                following = client.get(page["next"]).json()["results"]
                assert [row["id"] for row in following] == expected[2:4], (ordering, query)


def test_each_person_gets_their_own_compiled_first_page(cast: Cast) -> None:
    """The compiled first page is kept by the person's access (cases.access.scope_key): another agency's case
    manager, asking for the same list straight after, sees only their own service's cases."""
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    bristol = token_client(cast.case_manager, cast=cast).get("/api/v1/cases/?status=").json()["results"]
    banes = token_client(cast.banes_case_manager, cast=cast).get("/api/v1/cases/?status=").json()["results"]
    bristol_ids, banes_ids = {row["id"] for row in bristol}, {row["id"] for row in banes}
    assert cast.case.pk in bristol_ids and banes_ids and not bristol_ids & banes_ids
    assert banes_ids == set(Case.objects.filter(owning_yjs=cast.banes).values_list("pk", flat=True))
