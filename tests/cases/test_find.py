"""Find: search children by name, date of birth or reference among visible cases; caseloads with filters."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessEvent
from cases.models import Case, CaseKind
from cases.services import case_close
from tests.conftest import Cast
from tests.factories import child, make_case


def search(client: Client, text: str) -> str:
    response = client.get("/cases/search/", {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_a_child_by_name_date_of_birth_or_reference(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    for text in ("Kai Brennan", "brennan", "Brennan Kai", "17/05/2010", "2010-05-17", "17 May 2010", "loc-100231"):
        body = search(client, text)
        assert "Kai Brennan" in body and "1 case found" in body, text
    assert "No children found" in search(client, "Zebedee")


def test_a_banes_child_never_appears_for_bristol(cast: Cast, client: Client) -> None:
    make_case(
        owning_yjs=cast.banes,
        case_holder=cast.banes_case_manager,
        child_record=child(
            given_name="Kai", family_name="Brennaway", reference="BANES-1", date_of_birth=dt.date(2010, 5, 17)
        ),
    )
    for who in ("case_manager", "psychologist", "teacher"):
        client.force_login(cast.everyone()[who])
        for text in ("Kai", "Brennaway", "BANES-1", "17/05/2010"):
            assert "Kai Brennaway" not in search(client, text), (who, text)
    client.force_login(cast.banes_case_manager)
    body = search(client, "Kai")
    assert "Kai Brennaway" in body and "Kai Brennan<" not in body


def test_a_partner_finds_shared_cases_by_name_but_not_by_identifiers(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    body = search(client, "Kai")
    assert "Kai Brennan" in body and "Not shared" in body and "LOC-100231" not in body
    assert "No children found" in search(client, "LOC-100231")
    assert "No children found" in search(client, "17/05/2010")
    client.force_login(cast.commissioner)
    assert "No children found" in search(client, "Kai")


def test_an_empty_search_is_explained(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = search(client, "  ")
    assert "There is a problem" in body and "Enter a name, a date of birth or a reference" in body
    assert "There is a problem" not in client.get("/cases/search/").content.decode()


def test_search_matches_once_and_is_logged_without_its_terms(cast: Cast, client: Client) -> None:
    for _ in range(30):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(family_name="Brennan"))
    client.force_login(cast.psychologist)
    with CaptureQueriesContext(connection) as queries:
        body = search(client, "Brennan")
    assert "31 cases found" in body
    # The names are matched once: the page's rows and the count in one query (COUNT(*) OVER ()), nothing read again.
    case_reads = [q["sql"] for q in queries.captured_queries if '"cases_case"' in q["sql"]]
    assert len(case_reads) == 1 and "OVER ()" in case_reads[0] and '"cases_child"."given_name"' in case_reads[0]
    # (each name sounds like the word typed: dmetaphone on both sides, for the given and the family name)
    assert sum(q["sql"].count("dmetaphone(") for q in queries.captured_queries) == 4
    event = AccessEvent.objects.get(user=cast.psychologist, action="search")
    assert "Brennan" not in event.description and event.description == "31 cases found"
    # The one event names exactly the cases on the page shown (issue 15), not only how many were found.
    shown = {int(pk) for pk in re.findall(r'href="/cases/(\d+)/"', body)}
    assert shown and set(event.case_ids) == shown


def test_a_case_managers_caseload_is_the_cases_they_hold_with_a_toggle_for_their_service(
    cast: Cast, client: Client
) -> None:
    priyas = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client.force_login(cast.case_manager)
    mine = client.get("/cases/").content.decode()
    assert "My caseload" in mine and "Kai Brennan" in mine and priyas.child.full_name not in mine
    assert 'id="id_mine" name="mine" type="checkbox" checked' in mine
    service = client.get("/cases/", {"status": "open"}).content.decode()
    assert "Kai Brennan" in service and priyas.child.full_name in service
    assert "?page=" not in mine


def test_status_and_kind_filters(cast: Cast, client: Client) -> None:
    consultation = Case.objects.get(pk=make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager).pk)
    Case.objects.filter(pk=consultation.pk).update(kind=CaseKind.CONSULTATION)
    case_close(case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="o", ending_plan="p")
    client.force_login(cast.case_manager)
    open_cases = client.get("/cases/", {"status": "open", "mine": "on"}).content.decode()
    assert consultation.child.full_name in open_cases and "Kai Brennan" not in open_cases
    closed = client.get("/cases/", {"status": "closed", "mine": "on"}).content.decode()
    assert "Kai Brennan" in closed and consultation.child.full_name not in closed
    every = client.get("/cases/", {"status": "", "mine": "on", "kind": "consultation"}).content.decode()
    assert consultation.child.full_name in every and "Kai Brennan" not in every


def test_covering_clinicians_see_ecm_cases_and_can_narrow_to_their_own(cast: Cast, client: Client) -> None:
    allocated = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    Case.objects.filter(pk=allocated.pk).update(psychologist=cast.psychologist)
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=child(given_name="Nobody"))
    client.force_login(cast.psychologist)
    every = client.get("/cases/").content.decode()
    assert "ECM cases" in every and "Kai Brennan" in every and allocated.child.full_name in every
    assert "Nobody" not in every
    mine = client.get("/cases/", {"status": "open", "mine": "on"}).content.decode()
    assert allocated.child.full_name in mine and "Kai Brennan" not in mine
    assert "Only cases allocated to me" in mine


def test_caseload_query_count_is_pinned(cast: Cast, client: Client, django_assert_max_num_queries) -> None:
    for _ in range(55):
        make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    client.force_login(cast.case_manager)
    with django_assert_max_num_queries(8):
        body = client.get("/cases/").content.decode()
    assert body.count('class="govuk-link" href="/cases/') == 50
    assert "Page 1 of 2" in body
