"""Leavers: deactivating a person (or ending their last membership) ends their sessions, takes back every
share of a case they held and their invitations to meetings still to come, and leaves the cases intact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, User
from accounts.services import membership_add, membership_end, user_deactivate, user_reactivate
from cases import access
from cases.models import Case, CaseEvent, CaseEventKind, CaseUserObjectPermission, NetworkMember
from cases.services import case_share_summary
from formulation.models import Attendance, DocumentKind, FormulationReport, Invitation, Meeting
from formulation.services import meeting_record
from tests.conftest import Cast
from tests.factories import formulation_meeting, kais_report, make_case, ready_document
from tests.formulation.helpers import SUMMER_DAY, WINTER_DAY


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def report(cast: Cast) -> FormulationReport:
    report = kais_report(cast)
    ready_document(report, DocumentKind.SUMMARY)
    return report


def summary_pdf(report: FormulationReport) -> str:
    return f"/cases/{report.case_id}/formulation/{report.pk}/documents/summary/download/"


@pytest.fixture
def meetings(cast: Cast, django_capture_on_commit_callbacks: Any) -> dict[str, Meeting]:
    """A meeting to come, and one held last month that the teacher attended."""
    with django_capture_on_commit_callbacks(execute=True):
        upcoming = formulation_meeting(cast, day=SUMMER_DAY)
        held = formulation_meeting(cast, day=WINTER_DAY)
    last_month = timezone.now() - dt.timedelta(days=30)
    Meeting.objects.filter(pk=held.pk).update(starts_at=last_month, ends_at=last_month + dt.timedelta(hours=1))
    held.refresh_from_db()
    attendance = {invitation.pk: Attendance.ATTENDED for invitation in held.invitations.all()}
    meeting_record(meeting=held, actor=cast.senior_practitioner, attendance=attendance, notes="Agreed a plan.")
    mail.outbox.clear()
    return {"upcoming": upcoming, "held": held}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sessions_of(user: User) -> list[Session]:
    return [
        session
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]


def test_a_deactivated_teacher_loses_the_case_the_pdf_and_her_session(
    cast: Cast, report: FormulationReport, meetings: dict[str, Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    teacher = signed_in(cast.teacher)
    assert teacher.get(f"/cases/{cast.case.pk}/").status_code == 200
    assert teacher.get(summary_pdf(report)).status_code == 200
    assert sessions_of(cast.teacher)

    with django_capture_on_commit_callbacks(execute=True):
        done = user_deactivate(user=cast.teacher, actor=cast.administrator)

    assert done == [
        "cases: case access ended: 1 network places ended, 1 case shares revoked",
        "formulation: future invitations withdrawn: 1 future meeting invitations withdrawn",
    ]
    # Her browser is signed out at once: the next request goes to the sign-in page.
    response = teacher.get(f"/cases/{cast.case.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert not sessions_of(cast.teacher)
    # No grant is left, so even signed in again (were she reactivated) she would see nothing.
    assert not CaseUserObjectPermission.objects.filter(user=cast.teacher).exists()
    cast.teacher.refresh_from_db()
    assert not cast.teacher.is_active
    assert cast.case not in access.visible_cases(cast.teacher)
    # Nobody was e-mailed about the withdrawn invitation.
    assert mail.outbox == []


def test_reactivated_she_still_sees_nothing_she_was_given_before(
    cast: Cast, report: FormulationReport, meetings: dict[str, Meeting]
) -> None:
    user_deactivate(user=cast.teacher, actor=cast.administrator)
    user_reactivate(user=cast.teacher, actor=cast.administrator)
    teacher = signed_in(cast.teacher)
    assert teacher.get(f"/cases/{cast.case.pk}/").status_code == 404
    assert teacher.get(summary_pdf(report)).status_code == 404


def test_her_place_in_the_network_ends_with_history_and_a_chronology_line(cast: Cast) -> None:
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher)
    user_deactivate(user=cast.teacher, actor=cast.administrator)

    member.refresh_from_db()
    assert member.removed_at is not None  # kept, not deleted
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.NETWORK).latest("pk")
    assert line.summary == (
        "Helen Marsh left the network: their ECM account was closed (they no longer see the shared summary)"
    )
    assert line.actor == cast.administrator
    # The grant's deletion is in its history, attributed to the administrator.
    history = apps.get_model("cases", "CaseUserObjectPermissionHistory")
    [deleted] = history.objects.filter(user=cast.teacher, pgh_label="delete")
    assert deleted.pgh_context.metadata["user"] == cast.administrator.pk


def test_a_share_made_outside_the_network_is_revoked_too(cast: Cast) -> None:
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    case_share_summary(case=other, actor=cast.case_manager, user=cast.teacher)
    assert other in access.visible_cases(cast.teacher)

    user_deactivate(user=cast.teacher, actor=cast.administrator)

    assert not CaseUserObjectPermission.objects.filter(user=cast.teacher).exists()


def test_her_future_invitation_is_withdrawn_and_past_attendance_kept(
    cast: Cast, meetings: dict[str, Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    upcoming, held = meetings["upcoming"], meetings["held"]
    sequence = upcoming.sequence
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(user=cast.teacher, actor=cast.administrator)

    withdrawn = Invitation.objects.get(meeting=upcoming, user=cast.teacher)
    assert withdrawn.removed_at is not None  # kept in the history, no longer current
    assert Invitation.objects.get(meeting=upcoming, email="imogen.vale@avon-gp.example.org").removed_at is None
    upcoming.refresh_from_db()
    assert upcoming.sequence == sequence + 1
    attended = Invitation.objects.get(meeting=held, user=cast.teacher)
    assert attended.removed_at is None and attended.attendance == Attendance.ATTENDED
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.MEETING).latest("pk")
    assert line.summary.startswith("Helen Marsh is no longer invited to the formulation meeting of ")
    assert line.summary.endswith(": their ECM account was closed")
    assert mail.outbox == []


def test_the_case_stays_intact(cast: Cast, report: FormulationReport) -> None:
    before = Case.objects.values().get(pk=cast.case.pk)
    actions = list(report.recommendations.values_list("pk", "owner_id", "status"))

    user_deactivate(user=cast.teacher, actor=cast.administrator)

    assert Case.objects.values().get(pk=cast.case.pk) == before
    # Her action stays hers until someone hands it on (the leaver's work page).
    assert list(report.recommendations.values_list("pk", "owner_id", "status")) == actions
    holder = signed_in(cast.case_manager)
    assert holder.get(f"/cases/{cast.case.pk}/").status_code == 200


def test_ending_her_only_membership_does_the_same(
    cast: Cast, report: FormulationReport, meetings: dict[str, Meeting]
) -> None:
    teacher = signed_in(cast.teacher)
    assert teacher.get(summary_pdf(report)).status_code == 200
    membership_end(membership=Membership.objects.get(user=cast.teacher, is_active=True), actor=cast.administrator)

    cast.teacher.refresh_from_db()
    assert not cast.teacher.is_active
    assert teacher.get(f"/cases/{cast.case.pk}/").status_code == 302
    assert not sessions_of(cast.teacher)
    assert not CaseUserObjectPermission.objects.filter(user=cast.teacher).exists()
    assert Invitation.objects.get(meeting=meetings["upcoming"], user=cast.teacher).removed_at is not None
    assert Invitation.objects.get(meeting=meetings["held"], user=cast.teacher).removed_at is None


def test_ending_one_of_two_memberships_is_a_move_not_a_leave(cast: Cast) -> None:
    membership_add(user=cast.teacher, agency=cast.social_care, role="partner", actor=cast.administrator)
    membership_end(membership=Membership.objects.get(user=cast.teacher, agency=cast.school), actor=cast.administrator)

    cast.teacher.refresh_from_db()
    assert cast.teacher.is_active
    assert CaseUserObjectPermission.objects.filter(user=cast.teacher).exists()
    assert signed_in(cast.teacher).get(f"/cases/{cast.case.pk}/").status_code == 200


# A leaver's work, handed on in bulk (/manage/people/<id>/work/).


def work_url(person: User) -> str:
    return f"/manage/people/{person.pk}/work/"


def hand_on(client: Client, person: User, **data: Any) -> Any:
    return client.post(work_url(person), data)


@pytest.fixture
def second_case(cast: Cast) -> Case:
    return make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)


def test_the_administrator_sees_the_open_cases_held_without_case_content(
    cast: Cast, second_case: Case, report: FormulationReport
) -> None:
    body = signed_in(cast.administrator).get(work_url(cast.case_manager)).content.decode()
    assert f"Case {cast.case.pk}, KB, Bristol YJS, opened " in body
    assert f"Case {second_case.pk}, " in body
    assert "Open cases they hold (2)" in body
    for content in ("Kai", "Brennan", "LOC-100231", report.recommendations.first().text):  # type: ignore[union-attr]
        assert content not in body
    # Both boxes are ticked to start with.
    assert body.count('name="items" type="checkbox"') == body.count(" checked>") == 2


def test_the_administrator_hands_every_case_on_with_one_reason(
    cast: Cast, second_case: Case, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(cast.administrator)
    response = hand_on(
        client,
        cast.case_manager,
        items=[f"cases:{cast.case.pk}", f"cases:{second_case.pk}"],
        to_person=cast.colleague.pk,
        reason="Sam has left Bristol YJS",
    )
    assert response.status_code == 302 and response["Location"] == work_url(cast.case_manager)
    for case in (cast.case, second_case):
        case.refresh_from_db()
        assert case.case_holder == cast.colleague
        latest = case.holder_changes.latest("pk")
        assert (latest.reason, latest.changed_by, latest.previous_holder) == (
            "Sam has left Bristol YJS",
            cast.administrator,
            cast.case_manager,
        )
    page = client.get(work_url(cast.case_manager)).content.decode()
    assert "2 pieces of work handed on to Priya Nandra" in page
    assert "holds no open cases and owns no open actions" in page


def test_only_the_ticked_cases_move(cast: Cast, second_case: Case) -> None:
    hand_on(
        signed_in(cast.administrator),
        cast.case_manager,
        items=[f"cases:{second_case.pk}"],
        to_person=cast.colleague.pk,
        reason="Sharing out Sam's caseload",
    )
    cast.case.refresh_from_db()
    second_case.refresh_from_db()
    assert (cast.case.case_holder, second_case.case_holder) == (cast.case_manager, cast.colleague)


def test_a_leavers_action_goes_to_someone_who_sees_the_case(cast: Cast, report: FormulationReport) -> None:
    action = report.recommendations.get(owner=cast.teacher)
    user_deactivate(user=cast.teacher, actor=cast.administrator)
    client = signed_in(cast.administrator)
    body = client.get(work_url(cast.teacher)).content.decode()
    assert f"Action {action.pk} on case {cast.case.pk}, KB, Bristol YJS, due " in body
    assert "Priya Nandra (Case manager, Bristol YJS)" in body  # offered: she sees the case
    assert "Tom Hartley" not in body  # not offered: he does not

    response = hand_on(
        client,
        cast.teacher,
        items=[f"actions:{action.pk}"],
        to_person=cast.colleague.pk,
        reason="Helen left the school",
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.owner_agency) == (cast.colleague, cast.bristol)
    context = action.history.latest("pgh_id").pgh_context.metadata  # type: ignore[attr-defined]
    assert (context["user"], context["reason"]) == (cast.administrator.pk, "Helen left the school")
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.ACTION).latest("pk")
    assert line.summary == (
        "Action handed from Helen Marsh, Fernbrook Academy to Priya Nandra, Bristol YJS: Helen left the school"
    )


def test_a_colleague_who_cannot_hold_a_case_is_refused_and_nothing_moves(cast: Cast, report: FormulationReport) -> None:
    """Alex may own the action (he sees the case) but may not hold the case: neither moves."""
    action = report.recommendations.get(owner=cast.teacher)
    network = NetworkMember.objects.get(case=cast.case, user=cast.teacher)
    network.delete()
    action.owner = cast.case_manager
    action.save(update_fields=["owner"])
    response = hand_on(
        signed_in(cast.administrator),
        cast.case_manager,
        items=[f"cases:{cast.case.pk}", f"actions:{action.pk}"],
        to_person=cast.psychologist.pk,
        reason="Sam is on long leave",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert f"Case {cast.case.pk}: Alex Morgan is not a case manager of Bristol YJS, so cannot hold it" in body
    cast.case.refresh_from_db()
    action.refresh_from_db()
    assert (cast.case.case_holder, action.owner) == (cast.case_manager, cast.case_manager)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"to_person": "colleague", "reason": ""}, "Enter the reason for handing the work on"),
        ({"to_person": "colleague", "reason": "   "}, "Enter the reason for handing the work on"),
        ({"reason": "Sam has left"}, "Choose the colleague who will take the work on"),
        ({"to_person": "banes_case_manager", "reason": "Sam has left"}, "Choose a colleague from the list"),
        ({"to_person": "colleague", "reason": "Sam has left", "items": []}, "Choose at least one case or action"),
    ],
)
def test_each_mistake_is_explained_and_nothing_is_saved(cast: Cast, data: dict[str, Any], message: str) -> None:
    form: dict[str, Any] = {"items": [f"cases:{cast.case.pk}"], **data}
    if "to_person" in form:
        form["to_person"] = cast.everyone()[form["to_person"]].pk
    body = hand_on(signed_in(cast.administrator), cast.case_manager, **form).content.decode()
    assert "There is a problem" in body and message in body
    cast.case.refresh_from_db()
    assert cast.case.case_holder == cast.case_manager


def test_a_senior_practitioner_hands_on_the_cases_of_the_services_they_cover_only(cast: Cast) -> None:
    membership_add(user=cast.case_manager, agency=cast.banes, role="case_manager", actor=cast.administrator)
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.case_manager)
    senior = signed_in(cast.senior_practitioner)
    body = senior.get(work_url(cast.case_manager)).content.decode()
    assert f"Case {cast.case.pk}, KB, Bristol YJS" in body
    assert f"Case {banes_case.pk}," not in body
    administrator = signed_in(cast.administrator).get(work_url(cast.case_manager)).content.decode()
    assert f"Case {banes_case.pk}, " in administrator

    hand_on(senior, cast.case_manager, items=[f"cases:{cast.case.pk}"], to_person=cast.colleague.pk, reason="Moved")
    cast.case.refresh_from_db()
    assert cast.case.case_holder == cast.colleague
    # Someone of a service they do not cover is not theirs to see.
    assert senior.get(work_url(cast.banes_case_manager)).status_code == 404


@pytest.mark.parametrize(
    "who,whose,status",
    [
        ("administrator", "case_manager", 200),
        ("administrator", "teacher", 200),
        ("agency_administrator", "case_manager", 200),  # Ola administers Bristol
        ("agency_administrator", "teacher", 404),  # not her agency's
        ("agency_administrator", "banes_case_manager", 404),
        ("senior_practitioner", "case_manager", 200),
        ("senior_practitioner", "teacher", 200),  # in the network of a Bristol case
        ("senior_practitioner", "banes_case_manager", 404),
        ("psychologist", "case_manager", 403),
        ("case_manager", "colleague", 403),
        ("teacher", "case_manager", 403),
        ("commissioner", "case_manager", 403),
    ],
)
def test_who_may_open_a_persons_work(cast: Cast, who: str, whose: str, status: int) -> None:
    client = signed_in(cast.everyone()[who])
    assert client.get(work_url(cast.everyone()[whose])).status_code == status
    form = {"items": [f"cases:{cast.case.pk}"], "to_person": cast.colleague.pk, "reason": "Moved"}
    moves = status == 200 and whose == "case_manager"  # only Sam holds the case posted
    expected = 302 if moves else status  # anyone else allowed gets the form back with its error
    assert hand_on(client, cast.everyone()[whose], **form).status_code == expected
    cast.case.refresh_from_db()
    assert (cast.case.case_holder == cast.colleague) == moves


def test_a_person_who_does_not_exist_is_404(cast: Cast) -> None:
    assert signed_in(cast.administrator).get("/manage/people/999999/work/").status_code == 404


def test_the_work_page_takes_a_fixed_number_of_queries(cast: Cast, django_assert_max_num_queries: Any) -> None:
    for _ in range(6):
        make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    client = signed_in(cast.administrator)
    with django_assert_max_num_queries(20):
        body = client.get(work_url(cast.case_manager)).content.decode()
    assert "Open cases they hold (7)" in body
