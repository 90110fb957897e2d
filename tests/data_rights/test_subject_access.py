"""Subject access requests: the senior practitioner gathers everything held about Kai, across Bristol's and
BANES's cases, as a JSON file and a PDF pack; nothing about Jayden Cole (another child, in BANES) is in it
except his name where Kai's notes mention him, which is listed for redaction review; restricted notes are
flagged; everyone but senior practitioners and service administrators is refused; every step is logged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import AccessAction, AccessEvent, User
from cases.models import Case, Child, Consultation, ContactKind
from cases.services import child_rectify
from core.documents.lifecycle import document_render
from core.documents.models import DocumentState
from data_rights.deadlines import subject_access_due_on
from data_rights.models import RequestStatus, SubjectAccessDocument, SubjectAccessRequest
from data_rights.pack_schema import SECTION_KEYS, SECTIONS, pack_problems
from data_rights.services import SUBJECT_ACCESS_PACK
from formulation.models import DocumentKind, ReportDocument
from referrals.consent import consent_withdraw
from referrals.models import Referral, ReferralStatus
from tests.case_documents.helpers import add_document
from tests.conftest import Cast
from tests.factories import child, log_contact, make_case
from tests.formulation.document_helpers import pdf_text
from tests.reviews.helpers import on
from tests.reviews.review_helpers import REVIEW_DAY, formulated, record_every_step, scheduled_review
from trm_stages.models import ThriveGroupingChoice
from trm_stages.services import goal_set, thrive_grouping_set

BASE = "/data-rights/subject-access/"
MENTION = "Kai walked to the park with jayden cole's older brother and came back upset."
RESTRICTED_NOTE = "Kai disclosed that an older boy threatens him on the way home."
BANES_NOTE = "Kai visited the BANES office with his aunt to talk about moving to Bath."
# Jayden's own record: none of this may ever reach Kai's pack.
JAYDEN_SECRETS = ("Quarry Lane", "JAYDEN-REFERRAL-SECRET", "Learn to ride the 38 bus alone", "2011-02-14")


@pytest.fixture
def kai(cast: Cast) -> Child:
    """Kai's record in Bristol (formulated, a review recorded, contacts, a consultation, a THRIVE grouping,
    a referral, a PDF) and an earlier case in BANES: two agencies."""
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
    yesterday = timezone.now() - dt.timedelta(days=1)
    log_contact(cast.case, cast.case_manager, occurred_at=yesterday, with_whom="Kai", note=MENTION)
    log_contact(
        cast.case,
        cast.case_manager,
        occurred_at=yesterday,
        kind=ContactKind.PHONE,
        with_whom="Kai",
        note=RESTRICTED_NOTE,
        restricted=True,
    )
    thrive_grouping_set(
        case=cast.case,
        actor=cast.psychologist,
        grouping=ThriveGroupingChoice.GETTING_MORE_HELP,
        applies_from=timezone.localdate(),
        reason="Several agencies are working together with Kai.",
    )
    add_document(cast.case, cast.case_manager, category="consent", description="Signed consent to share")
    consent_withdraw(  # the consent history (issue 17)
        case=cast.case,
        actor=cast.case_manager,
        given_by="child",
        method="verbal",
        purposes=["ask_agencies"],
        on=timezone.localdate(),
    )
    with acting_as(cast.psychologist):
        Consultation.objects.create(
            case=cast.case,
            held_on=timezone.localdate(),
            attendees="Sam Okafor, Alex Morgan",
            question="How to help Kai stay in lessons",
            advice="Keep the same adult at the door every morning.",
            minutes_spent=45,
            psychologist=cast.psychologist,
        )
        Referral.objects.create(
            child=cast.case.child,
            referring_yjs=cast.bristol,
            referrer=cast.case_manager,
            status=ReferralStatus.ACCEPTED_FORMULATION,
            reasons="Repeated exclusions and no trusted adult at school.",
            case=cast.case,
        )
        report = cast.case.formulation_reports.get()
        ReportDocument.objects.create(report=report, kind=DocumentKind.FULL, status=DocumentState.READY, pages=4)
    earlier = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=cast.case.child)
    log_contact(earlier, cast.banes_case_manager, occurred_at=yesterday, with_whom="Kai and his aunt", note=BANES_NOTE)
    child_rectify(
        case=cast.case,
        actor=cast.case_manager,
        statement="The date of birth was typed wrongly at referral.",
        date_of_birth=cast.case.child.date_of_birth - dt.timedelta(days=1),
    )
    cast.case.child.refresh_from_db()
    return cast.case.child


@pytest.fixture
def jayden(cast: Cast) -> Case:
    """Another child, in BANES, with distinctive text everywhere in his record."""
    case = make_case(
        owning_yjs=cast.banes,
        case_holder=cast.banes_case_manager,
        child_record=child(given_name="Jayden", family_name="Cole", date_of_birth=dt.date(2011, 2, 14)),
    )
    log_contact(
        case,
        cast.banes_case_manager,
        days_ago=2,
        kind=ContactKind.HOME_VISIT,
        with_whom="Jayden and his mother",
        note="Home visit at 4 Quarry Lane: Jayden talked about Kai Brennan.",
    )
    goal_set(
        case=case,
        actor=cast.banes_case_manager,
        text="Learn to ride the 38 bus alone",
        set_by="Jayden",
        set_on=timezone.localdate(),
        start_score=2,
    )
    with acting_as(cast.banes_case_manager):
        Referral.objects.create(
            child=case.child,
            referring_yjs=cast.banes,
            referrer=cast.banes_case_manager,
            reasons="JAYDEN-REFERRAL-SECRET",
        )
    signed_in(cast.banes_case_manager).get(f"/cases/{case.pk}/")  # an access event on Jayden's case
    return case


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(cast: Cast, who: User | None = None, **overrides: Any) -> Any:
    received = timezone.localdate() - dt.timedelta(days=2)
    data = {
        "reference": "IG-2026-0042",
        "requester": "parent",
        "requester_name": "Maria Brennan",
        "received_on_day": str(received.day),
        "received_on_month": str(received.month),
        "received_on_year": str(received.year),
        "notes": "Asked in writing; identity checked against her passport.",
        **overrides,
    }
    return signed_in(who or cast.senior_practitioner).post(f"{BASE}new/{cast.case.child_id}/", data)


def started(cast: Cast) -> SubjectAccessRequest:
    response = start(cast)
    assert response.status_code == 302, response.content.decode()[:2000]
    sar = SubjectAccessRequest.objects.get()
    assert response["Location"] == f"{BASE}{sar.pk}/"
    return sar


def json_pack(client: Client, sar: SubjectAccessRequest) -> tuple[str, dict[str, Any]]:
    response = client.get(f"{BASE}{sar.pk}/pack.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ecm-subject-access-request-{sar.pk}.json"'
    body = response.content.decode()
    return body, json.loads(body)


def made_pdf(sar: SubjectAccessRequest) -> SubjectAccessDocument:
    document = SubjectAccessDocument.objects.get(request=sar)
    made = document_render(SUBJECT_ACCESS_PACK, document.pk)
    assert isinstance(made, SubjectAccessDocument)
    assert made.status == DocumentState.READY, made.error
    return made


def test_the_pack_holds_every_section_of_the_childs_record_across_agencies(cast: Cast, kai: Child) -> None:
    sar = started(cast)
    _, pack = json_pack(signed_in(cast.senior_practitioner), sar)
    sections = pack["sections"]
    assert sections["child"]["given_name"] == "Kai"
    assert {case["service"] for case in sections["cases"]} == {"Bristol YJS", "BANES YJS"}
    for key in SECTION_KEYS:
        if key not in {"child", "redaction_review"}:
            assert sections[key], f"{key} is empty"
    notes = {contact["note"] for contact in sections["contacts"]}
    assert {MENTION, RESTRICTED_NOTE, BANES_NOTE} <= notes
    assert sections["referrals"][0]["reasons"] == "Repeated exclusions and no trusted adult at school."
    assert "Start CBT sessions on anger with the CAMHS practitioner" in {
        action["text"] for action in sections["actions"]
    }
    assert sections["reviews"][0]["childs_views"] == "Kai says school is better since the check-ins started."
    assert {goal["text"] for goal in sections["goals"]} == {"Stay in lessons all week", "Sleep at home every night"}
    assert sections["meetings"][0]["invitations"][0]["attendance"] == "Attended"
    assert sections["documents"][0]["title"] == "Full report of formulation report version 1 (PDF)"
    assert pack["request"]["due_on"] == subject_access_due_on(sar.received_on).isoformat()
    (corrected,) = sections["rectifications"]
    assert corrected["statement"] == "The date of birth was typed wrongly at referral."
    assert [change["field"] for change in corrected["changes"]] == ["date_of_birth"]


def test_the_json_validates_against_its_declared_sections(cast: Cast, kai: Child) -> None:
    sar = started(cast)
    _, pack = json_pack(signed_in(cast.administrator), sar)
    assert (pack["schema"], pack["schema_version"]) == ("ecm.subject-access-pack", 2)
    assert pack_problems(pack) == []
    for entry, section in zip(pack["contents"], SECTIONS, strict=True):
        assert entry["key"] == section.key
        assert entry["fields"] == list(section.fields)
        content = pack["sections"][section.key]
        assert entry["count"] == (1 if section.single else len(content))
        for item in [content] if section.single else content:
            assert list(item) == entry["fields"]
    # Dates are ISO 8601, times with their offset.
    dt.date.fromisoformat(pack["sections"]["child"]["date_of_birth"])
    assert dt.datetime.fromisoformat(pack["generated_at"]).tzinfo is not None
    broken = {**pack, "sections": {**pack["sections"], "goals": [{"id": 1}]}}
    assert pack_problems(broken) == ["goals: item 1"]


def test_nothing_about_another_child_is_in_the_json_or_the_pdf(cast: Cast, kai: Child, jayden: Case) -> None:
    sar = started(cast)
    body, pack = json_pack(signed_in(cast.senior_practitioner), sar)
    text = " ".join(pdf_text(Path(made_pdf(sar).file.path), layout=False).split())
    for secret in JAYDEN_SECRETS:
        assert secret not in body
        assert secret not in text
    assert jayden.pk not in {case["id"] for case in pack["sections"]["cases"]}
    assert all(event["case_id"] != jayden.pk for event in pack["sections"]["access_events"])
    # Kai's own record is there, both services' of it.
    assert RESTRICTED_NOTE in text and BANES_NOTE in text
    assert "Stay in lessons all week" in text
    assert f"K.B. · Subject access request {sar.pk}" in text
    assert text.count("Kai Brennan") == 1 + text.count("Jayden talked about Kai Brennan")  # the first page only


def test_restricted_contacts_are_included_and_flagged(cast: Cast, kai: Child) -> None:
    sar = started(cast)
    _, pack = json_pack(signed_in(cast.senior_practitioner), sar)
    flags = {contact["note"]: contact["restricted"] for contact in pack["sections"]["contacts"]}
    assert flags[RESTRICTED_NOTE] is True
    assert flags[MENTION] is False
    assert pack["restricted_contacts"] == 1
    text = " ".join(pdf_text(Path(made_pdf(sar).file.path), layout=False).split())
    assert "Restricted notes: 1 contact note in this pack is restricted" in text
    assert text.count("· Restricted") == 1
    page = signed_in(cast.senior_practitioner).get(f"{BASE}{sar.pk}/").content.decode()
    assert "The pack holds 1 restricted contact note (safeguarding)" in page


def test_another_childs_name_in_a_note_is_listed_for_redaction_review(cast: Cast, kai: Child, jayden: Case) -> None:
    log_contact(
        cast.case,
        cast.case_manager,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        kind=ContactKind.PHONE,
        with_whom="Kai's aunt",
        note="She said Jayden sometimes waits outside.",  # a first name alone is not a match
    )
    sar = started(cast)
    _, pack = json_pack(signed_in(cast.senior_practitioner), sar)
    mention = next(contact for contact in pack["sections"]["contacts"] if contact["note"] == MENTION)
    assert pack["sections"]["redaction_review"] == [
        {
            "name": "Jayden Cole",
            "section": "contacts",
            "record_id": mention["id"],
            "field": "note",
            "excerpt": MENTION,
        }
    ]
    page = signed_in(cast.senior_practitioner).get(f"{BASE}{sar.pk}/").content.decode()
    assert "For redaction review" in page and "Jayden Cole" in page
    text = pdf_text(Path(made_pdf(sar).file.path), layout=False)
    assert "For redaction review" in text


def test_the_child_with_no_other_names_has_an_empty_redaction_review(cast: Cast, jayden: Case) -> None:
    sar = started(cast)
    assert sar.pack["sections"]["redaction_review"] == []


def test_everyone_else_in_the_cast_is_refused_and_the_refusal_is_logged(cast: Cast, kai: Child) -> None:
    for who, user in cast.everyone().items():
        if who in {"senior_practitioner", "administrator"}:
            continue
        assert start(cast, user).status_code == 403, who
        assert signed_in(user).get(BASE).status_code == 403, who
        assert AccessEvent.objects.filter(user=user, action=AccessAction.DENIED, record_type="subject access request")
    assert not SubjectAccessRequest.objects.exists()
    sar = started(cast)
    for who, user in cast.everyone().items():
        if who in {"senior_practitioner", "administrator"}:
            continue
        client = signed_in(user)
        for path in ("", "pack.json", "pdf/download/"):
            assert client.get(f"{BASE}{sar.pk}/{path}").status_code == 403, (who, path)
    assert signed_in(cast.administrator).get(f"{BASE}{sar.pk + 1000}/").status_code == 404


def test_starting_and_each_download_are_in_the_access_log(cast: Cast, kai: Child) -> None:
    sar = started(cast)
    cases = list(Case.objects.filter(child=kai).values_list("pk", flat=True))
    exports = AccessEvent.objects.filter(user=cast.senior_practitioner, action=AccessAction.EXPORT)
    assert exports.filter(record_type="subject access request", record_id=str(sar.pk)).count() == 1
    exported = [pk for pk in exports.filter(record_type="case").values_list("case_id", flat=True) if pk is not None]
    assert sorted(exported) == sorted(cases)
    # The pack's own access events begin with this export, in plain words.
    latest = sar.pack["sections"]["access_events"][0]
    assert latest["who"] == "Jordan Reeve"
    assert latest["what"] == "exported a subject access request"  # accounts.audit_words, as on the case's log

    client = signed_in(cast.administrator)
    json_pack(client, sar)
    made_pdf(sar)
    response = client.get(f"{BASE}{sar.pk}/pdf/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ecm-subject-access-request-{sar.pk}.pdf"'
    downloads = AccessEvent.objects.filter(user=cast.administrator, action=AccessAction.DOWNLOAD)
    assert [event.description for event in downloads.filter(record_type="subject access request")] == [
        f"PDF pack about child {kai.pk} (reference IG-2026-0042)",
        f"JSON file about child {kai.pk} (reference IG-2026-0042)",
    ]
    # Each case's own access log shows the downloads too.
    assert downloads.filter(record_type="case", case_id=cast.case.pk).count() == 2
    page = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/access-log/").content.decode()
    assert "Dana Whitfield downloaded everything held about the child, for a subject access request" in page


def test_the_due_date_is_one_calendar_month_later_on_a_working_day() -> None:
    assert subject_access_due_on(dt.date(2026, 12, 15)) == dt.date(2027, 1, 15)  # a Friday
    assert subject_access_due_on(dt.date(2026, 9, 3)) == dt.date(2026, 10, 5)  # 3 October is a Saturday
    assert subject_access_due_on(dt.date(2027, 1, 31)) == dt.date(2027, 3, 1)  # no 31 February; 28th a Sunday
    assert subject_access_due_on(dt.date(2027, 3, 31)) == dt.date(2027, 4, 30)


def test_the_child_is_found_by_exact_name_and_date_of_birth_only(cast: Cast, kai: Child, jayden: Case) -> None:
    client = signed_in(cast.administrator)
    born = kai.date_of_birth

    def find(given: str, family: str, day: dt.date) -> str:
        query = (
            f"given_name={given}&family_name={family}"
            f"&date_of_birth_day={day.day}&date_of_birth_month={day.month}&date_of_birth_year={day.year}"
        )
        response = client.get(f"{BASE}new/?{query}")
        assert response.status_code == 200
        return response.content.decode()

    found = find("kai", "BRENNAN", born)
    assert "1 child found" in found and f"{BASE}new/{kai.pk}/" in found
    assert "ECM cases with BANES YJS, Bristol YJS" in found
    assert "No child found" in find("Kai", "Brennan", born + dt.timedelta(days=1))
    assert "No child found" in find("Ka", "Brennan", born)  # no partial matches
    assert AccessEvent.objects.filter(user=cast.administrator, action=AccessAction.SEARCH).count() == 3
    assert "Enter the child&#x27;s first name" in client.get(f"{BASE}new/?given_name=").content.decode()


def test_the_form_shows_the_due_date_and_refuses_a_future_received_date(cast: Cast, kai: Child) -> None:
    page = signed_in(cast.senior_practitioner).get(f"{BASE}new/{kai.pk}/").content.decode()
    assert f"due by <strong>{subject_access_due_on(timezone.localdate()):%A} " in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = start(
        cast,
        received_on_day=str(tomorrow.day),
        received_on_month=str(tomorrow.month),
        received_on_year=str(tomorrow.year),
        reference="",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the request&#x27;s reference" in page
    assert "Date the request was received must be today or in the past" in page
    assert not SubjectAccessRequest.objects.exists()


def test_the_list_shows_status_and_due_date_and_the_response_is_recorded_once(cast: Cast, kai: Child) -> None:
    sar = started(cast)
    client = signed_in(cast.administrator)
    page = client.get(BASE).content.decode()
    assert "IG-2026-0042" in page and "Kai Brennan" in page and f"{sar.due_on.day} {sar.due_on:%b %Y}" in page
    assert ">Open</strong>" in page
    # The list names the child: one access event naming the child's cases, in the case's own words.
    (listed,) = AccessEvent.objects.filter(user=cast.administrator, description="subject access requests")
    assert set(listed.case_ids) == set(kai.cases.values_list("pk", flat=True)) and cast.case.pk in listed.case_ids
    assert client.post(f"{BASE}{sar.pk}/respond/").status_code == 302
    sar.refresh_from_db()
    assert (sar.status, sar.responded_by) == (RequestStatus.RESPONDED, cast.administrator)
    assert ">Responded</strong>" in client.get(BASE).content.decode()
    client.post(f"{BASE}{sar.pk}/respond/")
    history = apps.get_model("data_rights", "SubjectAccessRequestHistory").objects.filter(pgh_obj_id=sar.pk)
    assert history.filter(pgh_label="update").count() == 2  # the pack, then the response: once


def test_the_case_page_offers_a_request_to_senior_practitioners_only(cast: Cast, kai: Child) -> None:
    link = f"{BASE}new/{kai.pk}/"
    details = f"/cases/{cast.case.pk}/details/"  # the section's sub-page (data_rights/apps.py)
    assert link in signed_in(cast.senior_practitioner).get(details).content.decode()
    assert link not in signed_in(cast.case_manager).get(details).content.decode()
    assert link not in signed_in(cast.psychologist).get(details).content.decode()
