"""Meetings (with attendance) and signed-off formulation reports through the API (formulation/api.py): the
network sees the meetings it is invited to and no attendance or notes; reports are signed-off versions only,
for the case's full record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AccessEvent
from formulation.models import Attendance, FormulationReport, Meeting, MeetingPurpose
from formulation.services import Invitee, meeting_record, meeting_schedule
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import signed_off_report
from tests.formulation.report_support import in_review

GP_EMAIL = "imogen.vale@avon-gp.example.org"


def _schedule(cast: Cast, *, days: int, teacher: bool) -> Meeting:
    starts_at = (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)
    invitees = [Invitee(name="Dr Imogen Vale", email=GP_EMAIL, agency_name="Avon GP", role="GP")]
    if teacher:
        invitees.append(Invitee(name="Helen Marsh", email=cast.teacher.email, user=cast.teacher, agency=cast.school))
    return meeting_schedule(
        case=cast.case,
        actor=cast.senior_practitioner,
        purpose=MeetingPurpose.FORMULATION,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        location="Meeting room 2, Fernbrook Academy",
        invitees=invitees,
    )


@pytest.fixture
def meetings(cast: Cast) -> dict[str, Meeting]:
    """A meeting the teacher is invited to, held an hour ago with its attendance and notes; one she is not."""
    invited = _schedule(cast, days=3, teacher=True)
    started = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=invited.pk).update(starts_at=started, ends_at=started + dt.timedelta(minutes=90))
    invited.refresh_from_db()
    attendance = {
        invitation.pk: Attendance.ATTENDED if invitation.user_id else Attendance.APOLOGIES
        for invitation in invited.invitations.all()
    }
    meeting_record(meeting=invited, actor=cast.senior_practitioner, attendance=attendance, notes="Kai joined at 10.")
    return {"invited": invited, "not_invited": _schedule(cast, days=10, teacher=False)}


def meetings_url(cast: Cast, suffix: str = "") -> str:
    return f"/api/v1/cases/{cast.case.pk}/meetings/{suffix}"


# --- Meetings --------------------------------------------------------------------------------------------


def test_the_full_record_sees_every_meeting_the_network_its_own(cast: Cast, meetings: dict[str, Meeting]) -> None:
    everyone = token_client(cast.colleague, cast=cast).get(meetings_url(cast)).json()["results"]
    assert {meeting["id"] for meeting in everyone} == {meetings["invited"].pk, meetings["not_invited"].pk}
    held = next(meeting for meeting in everyone if meeting["id"] == meetings["invited"].pk)
    assert (held["status"], held["invited_count"], held["attended_count"]) == ("held", 2, 1)
    mine = token_client(cast.teacher, cast=cast).get(meetings_url(cast)).json()["results"]
    assert [meeting["id"] for meeting in mine] == [meetings["invited"].pk]


def test_the_network_reads_its_meeting_without_attendance_notes_or_addresses(
    cast: Cast, meetings: dict[str, Meeting]
) -> None:
    client = token_client(cast.teacher, cast=cast)
    response = client.get(meetings_url(cast, f"{meetings['invited'].pk}/"))
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert body["notes"] is None
    assert {(person["name"], person["attendance"], person["email"]) for person in body["invitations"]} == {
        ("Dr Imogen Vale", None, None),
        ("Helen Marsh", None, None),
    }
    assert GP_EMAIL.encode() not in response.content and b"Kai joined at 10." not in response.content
    # A meeting she is not invited to does not exist for her.
    assert client.get(meetings_url(cast, f"{meetings['not_invited'].pk}/")).status_code == 404


def test_the_full_record_reads_attendance_and_notes_and_the_organisers_the_addresses(
    cast: Cast, meetings: dict[str, Meeting]
) -> None:
    url = meetings_url(cast, f"{meetings['invited'].pk}/")
    body = token_client(cast.case_manager, cast=cast).get(url).json()
    assert body["notes"] == "Kai joined at 10."
    assert {(person["name"], person["attendance"]) for person in body["invitations"]} == {
        ("Dr Imogen Vale", "apologies"),
        ("Helen Marsh", "attended"),
    }
    assert {person["email"] for person in body["invitations"]} == {None}
    organiser = token_client(cast.senior_practitioner, cast=cast).get(url).json()
    assert GP_EMAIL in {person["email"] for person in organiser["invitations"]}


def test_other_services_find_no_meetings(cast: Cast, meetings: dict[str, Meeting]) -> None:
    for person in (cast.banes_case_manager, cast.social_worker, cast.commissioner):
        client = token_client(person, cast=cast)
        assert client.get(meetings_url(cast)).status_code == 404
        assert client.get(meetings_url(cast, f"{meetings['invited'].pk}/")).status_code == 404


def test_a_write_only_token_may_not_read_meetings(cast: Cast, meetings: dict[str, Meeting]) -> None:
    client = token_client(cast.case_manager, cast=cast, scopes=("write",))
    assert client.get(meetings_url(cast)).status_code == 403
    assert client.get(meetings_url(cast, f"{meetings['invited'].pk}/")).status_code == 403


def test_the_meeting_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for days in range(1, 31):
        _schedule(cast, days=days, teacher=days % 2 == 0)
    client = token_client(cast.teacher, cast=cast)
    with django_assert_num_queries(6):
        assert len(client.get(meetings_url(cast)).json()["results"]) == 15


# --- Formulation reports ---------------------------------------------------------------------------------


def reports_url(cast: Cast, suffix: str = "") -> str:
    return f"/api/v1/cases/{cast.case.pk}/formulation-reports/{suffix}"


@pytest.fixture
def signed_off(cast: Cast) -> FormulationReport:
    return signed_off_report(
        cast,
        signed_off_at=timezone.now() - dt.timedelta(days=20),
        childs_voice="Kai says he wants to stay at Fernbrook.",
        trm_stage=2,
        recommendations=[
            {
                "text": "A daily check-in with Ms Marsh at the start of school",
                "suits_from_stage": 1,
                "owner": cast.teacher,
                "owner_agency": cast.school,
                "due_on": timezone.localdate() + dt.timedelta(days=14),
            }
        ],
    )


def test_the_full_record_reads_signed_off_versions_only(cast: Cast, signed_off: FormulationReport) -> None:
    draft = in_review(cast)
    client = token_client(cast.psychologist, cast=cast)  # who reads drafts on the pages
    listed = client.get(reports_url(cast)).json()["results"]
    assert [(report["id"], report["status"], report["recommendation_count"]) for report in listed] == [
        (signed_off.pk, "signed_off", 1)
    ]
    assert client.get(reports_url(cast, f"{draft.pk}/")).status_code == 404


def test_a_signed_off_version_has_its_sections_and_recommendations(cast: Cast, signed_off: FormulationReport) -> None:
    response = token_client(cast.colleague, cast=cast).get(reports_url(cast, f"{signed_off.pk}/"))
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    sections = {section["name"]: section["text"] for section in body["sections"]}
    assert sections["childs_voice"] == "Kai says he wants to stay at Fernbrook."
    [recommendation] = body["recommendations"]
    assert (recommendation["owner"], recommendation["status"], recommendation["report_version"]) == (
        "Helen Marsh, Fernbrook Academy",
        "not_started",
        1,
    )
    event = AccessEvent.objects.filter(user=cast.colleague).get()
    assert (event.record_type, event.record_id, event.case_id) == (
        "formulation_report",
        str(signed_off.pk),
        cast.case.pk,
    )


def test_the_network_may_not_read_the_report_and_other_services_do_not_find_it(
    cast: Cast, signed_off: FormulationReport
) -> None:
    teacher = token_client(cast.teacher, cast=cast)
    assert teacher.get(reports_url(cast)).status_code == 403
    assert teacher.get(reports_url(cast, f"{signed_off.pk}/")).status_code == 403
    banes = token_client(cast.banes_case_manager, cast=cast)
    assert banes.get(reports_url(cast)).status_code == 404
    assert banes.get(reports_url(cast, f"{signed_off.pk}/")).status_code == 404


def test_the_report_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for version in range(1, 31):
        signed_off_report(cast, version=version, recommendations=[_recommendation(cast)] * 2)
    client = token_client(cast.case_manager, cast=cast)
    with django_assert_num_queries(6):
        assert len(client.get(reports_url(cast)).json()["results"]) == 30


def _recommendation(cast: Cast) -> dict[str, Any]:
    return {"text": "Weekly football", "suits_from_stage": 1, "owner_name": "Coach", "due_on": timezone.localdate()}
