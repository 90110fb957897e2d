"""The network, contacts and consultations through the API (cases/api_network.py, cases/api_records.py): what
each person's pages show them, the writes through the contact services, and the access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AccessEvent
from cases.models import CaseEvent, CaseEventKind, Contact, ContactCorrection, ContactKind
from cases.services import case_close, consultation_log, contact_correct, network_member_add
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import log_contact

RESTRICTED_NOTE = "Kai told me about the man at the park."


@pytest.fixture
def contacts(cast: Cast) -> dict[str, Contact]:
    """A plain contact and a restricted one on Kai's case, both by his case holder."""
    return {
        "plain": log_contact(cast.case, cast.case_manager, with_whom="Kai and his mother", days_ago=2),
        "restricted": log_contact(cast.case, cast.case_manager, restricted=True, note=RESTRICTED_NOTE),
    }


def contacts_url(cast: Cast, suffix: str = "") -> str:
    return f"/api/v1/cases/{cast.case.pk}/contacts/{suffix}"


NEW_CONTACT: dict[str, Any] = {
    "occurred_at": "2026-11-30T16:00:00Z",
    "kind": ContactKind.HOME_VISIT,
    "with_whom": "Kai and his grandmother",
    "duration_minutes": 40,
    "note": "Kai showed us the bike he is fixing.",
}


def new_contact(**changes: Any) -> dict[str, Any]:
    yesterday = (timezone.now() - dt.timedelta(days=1)).isoformat()
    return {**NEW_CONTACT, "occurred_at": yesterday, **changes}


# --- The network ---------------------------------------------------------------------------------------


def test_the_network_is_read_by_everyone_who_sees_the_case(cast: Cast) -> None:
    network_member_add(case=cast.case, actor=cast.case_manager, name="Dr Imogen Vale", role="GP", agency_name="Avon GP")
    body = token_client(cast.teacher, cast=cast).get(f"/api/v1/cases/{cast.case.pk}/network/").json()
    assert [(member["name"], member["agency"]) for member in body] == [
        ("Dr Imogen Vale", "Avon GP"),
        ("Helen Marsh", "Fernbrook Academy"),
    ]
    teacher = next(member for member in body if member["name"] == "Helen Marsh")
    assert teacher["has_ecm_account"] and teacher["sees_shared_summary"]


def test_the_network_of_another_services_case_is_not_found(cast: Cast) -> None:
    for person in (cast.banes_case_manager, cast.social_worker, cast.commissioner):
        assert token_client(person, cast=cast).get(f"/api/v1/cases/{cast.case.pk}/network/").status_code == 404


def test_a_write_only_token_may_not_read_the_network(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast, scopes=("write",))
    assert client.get(f"/api/v1/cases/{cast.case.pk}/network/").status_code == 403


def test_reading_the_network_is_logged_as_a_view_of_the_case(cast: Cast) -> None:
    token_client(cast.teacher, cast=cast).get(f"/api/v1/cases/{cast.case.pk}/network/")
    event = AccessEvent.objects.filter(user=cast.teacher).get()
    assert (event.action, event.case_id, event.path) == ("view", cast.case.pk, f"/api/v1/cases/{cast.case.pk}/network/")


def test_the_network_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for number in range(30):
        network_member_add(case=cast.case, actor=cast.case_manager, name=f"Worker {number:02}", role="Mentor")
    client = token_client(cast.case_manager, cast=cast)
    # The token (and its first use noted), the person's standing, the case, its access event, consent, the rows.
    with django_assert_num_queries(7):
        assert len(client.get(f"/api/v1/cases/{cast.case.pk}/network/").json()) == 31


# --- Contacts: reading -----------------------------------------------------------------------------------


def test_the_case_holder_reads_every_contact_with_restricted_notes(cast: Cast, contacts: dict[str, Contact]) -> None:
    body = token_client(cast.case_manager, cast=cast).get(contacts_url(cast)).json()
    assert [contact["id"] for contact in body["results"]] == [contacts["restricted"].pk, contacts["plain"].pk]
    assert body["results"][0]["note"] == RESTRICTED_NOTE and body["results"][0]["restricted"] is True


def test_a_restricted_contact_never_reaches_those_who_may_not_read_it(cast: Cast, contacts: dict[str, Contact]) -> None:
    client = token_client(cast.colleague, cast=cast)
    listed = client.get(contacts_url(cast))
    assert [contact["id"] for contact in listed.json()["results"]] == [contacts["plain"].pk]
    assert RESTRICTED_NOTE.encode() not in listed.content
    assert client.get(contacts_url(cast, f"{contacts['restricted'].pk}/")).status_code == 404
    assert client.get(contacts_url(cast, f"{contacts['plain'].pk}/")).status_code == 200


def test_the_network_may_not_read_contacts_and_other_services_do_not_find_them(
    cast: Cast, contacts: dict[str, Contact]
) -> None:
    plain = contacts_url(cast, f"{contacts['plain'].pk}/")
    assert token_client(cast.teacher, cast=cast).get(contacts_url(cast)).status_code == 403
    assert token_client(cast.teacher, cast=cast).get(plain).status_code == 403
    assert token_client(cast.banes_case_manager, cast=cast).get(contacts_url(cast)).status_code == 404
    assert token_client(cast.banes_case_manager, cast=cast).get(plain).status_code == 404


def test_a_contact_has_an_etag_that_changes_with_a_correction(cast: Cast, contacts: dict[str, Contact]) -> None:
    client = token_client(cast.case_manager, cast=cast)
    url = contacts_url(cast, f"{contacts['plain'].pk}/")
    before = client.get(url)["ETag"]
    contact_correct(contact=contacts["plain"], actor=cast.colleague, text="It was his aunt.", reason="Misheard.")
    after = client.get(url)
    assert after["ETag"] != before
    assert [correction["text"] for correction in after.json()["corrections"]] == ["It was his aunt."]


def test_the_contact_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for days_ago in range(1, 31):
        contact = log_contact(cast.case, cast.colleague, days_ago=days_ago)
        contact_correct(contact=contact, actor=cast.case_manager, text="With his mother too.", reason="Left out.")
    client = token_client(cast.case_manager, cast=cast)
    # Token, its use, standing, case, access event; the contacts, their corrections, who recorded those.
    with django_assert_num_queries(8):
        assert len(client.get(contacts_url(cast)).json()["results"]) == 30


# --- Contacts: logging one -----------------------------------------------------------------------------


def test_a_contact_is_logged_through_the_service_and_the_chronology_says_so(cast: Cast) -> None:
    response = token_client(cast.colleague, cast=cast).post(
        contacts_url(cast), new_contact(significant=True), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert (contact.with_whom, contact.recorded_by, contact.significant) == (
        "Kai and his grandmother",
        cast.colleague,
        True,
    )
    assert response["ETag"].startswith('"')
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.CONTACT).latest("pk")
    assert (line.summary, line.actor, line.significant) == (
        "Home visit with Kai and his grandmother",
        cast.colleague,
        True,
    )


def test_a_restricted_contact_logged_is_a_restricted_line_of_the_chronology(cast: Cast) -> None:
    response = token_client(cast.case_manager, cast=cast).post(
        contacts_url(cast), new_contact(restricted=True), content_type="application/json"
    )
    assert response.status_code == 201
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.CONTACT).latest("pk")
    assert line.is_restricted and "(restricted note)" in line.summary


def test_a_colleague_logs_a_restricted_note_they_may_not_read_again(cast: Cast) -> None:
    client = token_client(cast.colleague, cast=cast)
    response = client.post(contacts_url(cast), new_contact(restricted=True), content_type="application/json")
    assert response.status_code == 201
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.restricted and contact.recorded_by == cast.colleague
    assert client.get(contacts_url(cast, f"{contact.pk}/")).status_code == 404
    assert client.get(contacts_url(cast)).json()["results"] == []


def test_bad_contact_details_are_400_naming_each_field(cast: Cast) -> None:
    tomorrow = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = token_client(cast.case_manager, cast=cast).post(
        contacts_url(cast),
        new_contact(occurred_at=tomorrow, kind="carrier_pigeon", with_whom="", duration_minutes=2000),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"occurred_at", "kind", "with_whom", "duration_minutes"}
    assert not Contact.objects.filter(case=cast.case).exists()


def test_a_contact_on_a_closed_case_is_refused_by_the_service(cast: Cast) -> None:
    case_close(
        case=cast.case,
        actor=cast.case_manager,
        reason="goals_met",
        outcome_summary="Kai is settled at school.",
        ending_plan="Ms Marsh carries on the check-ins.",
    )
    response = token_client(cast.case_manager, cast=cast).post(
        contacts_url(cast), new_contact(), content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_who_may_not_log_a_contact(cast: Cast) -> None:
    body = new_contact()
    teacher = token_client(cast.teacher, cast=cast)
    assert teacher.post(contacts_url(cast), body, content_type="application/json").status_code == 403
    read_only = token_client(cast.case_manager, cast=cast, scopes=("read",))
    assert read_only.post(contacts_url(cast), body, content_type="application/json").status_code == 403
    banes = token_client(cast.banes_case_manager, cast=cast)
    assert banes.post(contacts_url(cast), body, content_type="application/json").status_code == 404
    # Refused before the body is read: a bad body is still 403 / 404, never a 400 that confirms the case.
    assert teacher.post(contacts_url(cast), {}, content_type="application/json").status_code == 403
    assert banes.post(contacts_url(cast), {}, content_type="application/json").status_code == 404
    assert not Contact.objects.filter(case=cast.case).exists()


# --- Contacts: a correction beneath one -------------------------------------------------------------------

CORRECTION = {"text": "It was his aunt, not his mother.", "reason": "I misheard on the phone."}


def test_a_correction_goes_through_the_service_with_the_etag_read(cast: Cast, contacts: dict[str, Contact]) -> None:
    client = token_client(cast.colleague, cast=cast)
    url = contacts_url(cast, f"{contacts['plain'].pk}/")
    etag = client.get(url)["ETag"]
    response = client.post(
        f"{url}corrections/", CORRECTION, content_type="application/json", headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    assert [item["reason"] for item in response.json()["corrections"]] == ["I misheard on the phone."]
    correction = ContactCorrection.objects.get(contact=contacts["plain"])
    assert correction.recorded_by == cast.colleague
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.CONTACT).latest("pk")
    assert line.summary.startswith("Correction added to the face to face contact of") and line.actor == cast.colleague
    contacts["plain"].refresh_from_db()
    assert contacts["plain"].note == "We talked about football and his week at school."  # never rewritten


def test_a_correction_without_the_etag_is_428_and_a_stale_one_412(cast: Cast, contacts: dict[str, Contact]) -> None:
    client = token_client(cast.case_manager, cast=cast)
    url = contacts_url(cast, f"{contacts['plain'].pk}/")
    stale = client.get(url)["ETag"]
    contact_correct(contact=contacts["plain"], actor=cast.colleague, text="With his aunt.", reason="Misheard.")
    corrections = f"{url}corrections/"
    assert client.post(corrections, CORRECTION, content_type="application/json").status_code == 428
    response = client.post(corrections, CORRECTION, content_type="application/json", headers={"If-Match": stale})
    assert response.status_code == 412
    assert ContactCorrection.objects.filter(contact=contacts["plain"]).count() == 1


def test_a_correction_without_its_reason_is_400(cast: Cast, contacts: dict[str, Contact]) -> None:
    client = token_client(cast.case_manager, cast=cast)
    url = contacts_url(cast, f"{contacts['plain'].pk}/")
    etag = client.get(url)["ETag"]
    response = client.post(
        f"{url}corrections/", {"text": "With his aunt."}, content_type="application/json", headers={"If-Match": etag}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"reason"}
    assert not ContactCorrection.objects.exists()


def test_who_may_not_correct_a_contact(cast: Cast, contacts: dict[str, Contact]) -> None:
    def correct(person: Any, contact: Contact, **token: Any) -> int:
        url = contacts_url(cast, f"{contact.pk}/corrections/")
        client = token_client(person, cast=cast, **token)
        return client.post(url, CORRECTION, content_type="application/json", headers={"If-Match": "*"}).status_code

    assert correct(cast.teacher, contacts["plain"]) == 403
    assert correct(cast.case_manager, contacts["plain"], scopes=("read",)) == 403
    assert correct(cast.banes_case_manager, contacts["plain"]) == 404
    # The colleague may change the case but not read restricted notes: the restricted contact is not found.
    assert correct(cast.colleague, contacts["restricted"]) == 404
    assert not ContactCorrection.objects.exists()


# --- Consultations ---------------------------------------------------------------------------------------


def _consultations(cast: Cast, count: int) -> None:
    for days_ago in range(count):
        consultation_log(
            case=cast.case,
            actor=cast.psychologist,
            held_on=timezone.localdate() - dt.timedelta(days=days_ago),
            attendees="Sam Okafor (case manager)",
            question="How do we keep Kai engaged?",
            advice="Keep appointments at the same time each week.",
            minutes_spent=45,
        )


def test_consultations_are_read_by_the_full_record_only(cast: Cast) -> None:
    _consultations(cast, 1)
    url = f"/api/v1/cases/{cast.case.pk}/consultations/"
    [listed] = token_client(cast.case_manager, cast=cast).get(url).json()["results"]
    assert (listed["psychologist"], listed["minutes_spent"]) == ("Alex Morgan", 45)
    one = token_client(cast.senior_practitioner, cast=cast).get(f"{url}{listed['id']}/")
    assert one.status_code == 200 and one.json()["advice"] == "Keep appointments at the same time each week."
    assert token_client(cast.teacher, cast=cast).get(url).status_code == 403
    assert token_client(cast.teacher, cast=cast).get(f"{url}{listed['id']}/").status_code == 403
    assert token_client(cast.banes_case_manager, cast=cast).get(url).status_code == 404
    assert token_client(cast.banes_case_manager, cast=cast).get(f"{url}{listed['id']}/").status_code == 404


def test_the_consultation_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    _consultations(cast, 30)
    client = token_client(cast.colleague, cast=cast)
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/v1/cases/{cast.case.pk}/consultations/").json()["results"]) == 30
