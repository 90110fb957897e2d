"""Closed means read-only: every write service refuses a closed case with one clear message and writes nothing;
the pages offer no write action; reopening is the way back, and a mistake in the child's details is still corrected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    Case,
    CaseEvent,
    CaseHolderChange,
    Child,
    Consultation,
    Contact,
    ContactCorrection,
    ContactKind,
    NetworkMember,
    Rectification,
)
from formulation import services as formulation_services
from formulation.models import (
    ActionStatus,
    FormulationReport,
    Invitation,
    Meeting,
    Recommendation,
    ReportComment,
    ReportStatus,
)
from reviews import services as review_services
from reviews.models import ActionProgress, Review, ReviewSchedule
from tests.cases.helpers import contact_form
from tests.conftest import Cast
from tests.factories import formulation_meeting, log_contact, person, recommendation, signed_off_report
from tests.formulation.helpers import SUMMER_DAY, gp_invitee, uk_time
from trm_stages import services as trm_services
from trm_stages.models import AssessmentSource, Goal, GoalRating, StageAssessment, ThriveGrouping

CLOSED = "This case is closed. Reopen it to add or change anything."
LATER_DAY = SUMMER_DAY + dt.timedelta(days=7)


@dataclass
class World:
    """The cast's case with something of everything on it, then closed."""

    cast: Cast
    case: Case
    contact: Contact
    member: NetworkMember
    goal: Goal
    meeting: Meeting
    action: Recommendation
    report: FormulationReport  # version 2, in review
    review: Review
    new_holder: Any


@pytest.fixture
def world(cast: Cast) -> World:
    case = cast.case
    contact = log_contact(case, cast.case_manager)
    member = NetworkMember.objects.get(case=case, user=cast.teacher)
    goal = trm_services.goal_set(
        case=case,
        actor=cast.case_manager,
        text="Go to college three days a week",
        set_by="Kai with Sam Okafor",
        set_on=timezone.localdate(),
        start_score=3,
    )
    meeting = formulation_meeting(cast)
    first = signed_off_report(cast, trm_stage=2)
    action = recommendation(cast, first, "Keep one named adult at the gate", owner=cast.case_manager)
    report = formulation_services.report_start(case=case, actor=cast.psychologist)
    report = formulation_services.report_submit(report=report, actor=cast.psychologist)
    review = review_services.review_schedule(
        case=case,
        actor=cast.senior_practitioner,
        starts_at=uk_time(LATER_DAY, 10),
        ends_at=uk_time(LATER_DAY, 11),
        invitees=[gp_invitee()],
        location="Bristol YJS, room 4",
    )
    new_holder = person("nia", "Nia", "Osei", agency=cast.bristol, role="case_manager")
    case_services.case_close(
        case=case, actor=cast.case_manager, reason="goals_met", outcome_summary="Back at school.", ending_plan="Texts."
    )
    return World(
        cast=cast,
        case=Case.objects.get(pk=case.pk),
        contact=contact,
        member=member,
        goal=goal,
        meeting=meeting,
        action=action,
        report=report,
        review=review,
        new_holder=new_holder,
    )


def _snapshot(world: World) -> tuple[Any, ...]:
    """Everything a write could have touched: row counts, and the fields changes would change."""
    case = Case.objects.get(pk=world.case.pk)
    models: list[Any] = [
        CaseEvent,
        Contact,
        ContactCorrection,
        Consultation,
        NetworkMember,
        CaseHolderChange,
        Rectification,
        Goal,
        GoalRating,
        ThriveGrouping,
        StageAssessment,
        Meeting,
        Invitation,
        Recommendation,
        ActionProgress,
        ReportComment,
        Review,
        ReviewSchedule,
        FormulationReport,
    ]
    counts = tuple(model.objects.count() for model in models)
    member = NetworkMember.objects.get(pk=world.member.pk)
    meeting = Meeting.objects.get(pk=world.meeting.pk)
    report = FormulationReport.objects.get(pk=world.report.pk)
    action = Recommendation.objects.get(pk=world.action.pk)
    return (
        counts,
        case.status,
        case.case_holder_id,
        Child.objects.filter(pk=case.child_id).values_list("school", "given_name").get(),
        (member.removed_at, member.may_see_summary),
        (meeting.starts_at, meeting.sequence, meeting.status),
        (report.status, report.revision),
        (action.status, action.owner_id),
        Goal.objects.get(pk=world.goal.pk).status,
        Review.objects.filter(pk=world.review.pk).values_list("childs_views", "status").get(),
    )


def _today() -> dt.date:
    return timezone.localdate()


# Every write service a closed case must refuse: (name, call).
WRITES: list[tuple[str, Callable[[World], Any]]] = [
    (
        "contact_log",
        lambda w: case_services.contact_log(
            case=w.case,
            actor=w.cast.case_manager,
            occurred_at=timezone.now(),
            kind=ContactKind.PHONE,
            with_whom="Kai",
            note="A call after the case closed.",
        ),
    ),
    (
        "contact_correct",
        lambda w: case_services.contact_correct(
            contact=w.contact, actor=w.cast.case_manager, text="It was Tuesday.", reason="Wrong day"
        ),
    ),
    (
        "consultation_log",
        lambda w: case_services.consultation_log(
            case=w.case,
            actor=w.cast.psychologist,
            held_on=_today(),
            attendees="Sam Okafor",
            question="How to end well?",
            advice="Plan the last session with Kai.",
            minutes_spent=30,
        ),
    ),
    (
        "network_member_add",
        lambda w: case_services.network_member_add(
            case=w.case, actor=w.cast.case_manager, name="Dr Imogen Vale", role="GP", agency_name="Avon Vale Surgery"
        ),
    ),
    (
        "network_member_set_sharing",
        lambda w: case_services.network_member_set_sharing(
            member=w.member, may_see_summary=False, actor=w.cast.case_manager
        ),
    ),
    (
        "network_member_remove",
        lambda w: case_services.network_member_remove(member=w.member, actor=w.cast.case_manager),
    ),
    (
        "case_child_update",
        lambda w: case_services.case_child_update(case=w.case, actor=w.cast.case_manager, school="Another Academy"),
    ),
    (
        "case_holder_change",
        lambda w: case_services.case_holder_change(
            case=w.case, new_holder=w.new_holder, reason="Sam is moving team", actor=w.cast.case_manager
        ),
    ),
    (
        "goal_set",
        lambda w: trm_services.goal_set(
            case=w.case, actor=w.cast.case_manager, text="Play football", set_by="Kai", set_on=_today(), start_score=5
        ),
    ),
    (
        "goal_rate",
        lambda w: trm_services.goal_rate(
            goal=w.goal, actor=w.cast.case_manager, rated_on=_today(), score=6, context="other"
        ),
    ),
    (
        "goal_close",
        lambda w: trm_services.goal_close(
            goal=w.goal, actor=w.cast.case_manager, status="achieved", closed_on=_today()
        ),
    ),
    (
        "thrive_grouping_set",
        lambda w: trm_services.thrive_grouping_set(
            case=w.case, actor=w.cast.psychologist, grouping="getting_help", applies_from=_today(), reason="Needs help"
        ),
    ),
    (
        "stage_assessment_record",
        lambda w: trm_services.stage_assessment_record(
            case=w.case,
            actor=w.cast.psychologist,
            assessed_on=_today(),
            stage_number=2,
            evidence="Seen at school",
            source=AssessmentSource.OTHER,
        ),
    ),
    (
        "meeting_schedule",
        lambda w: formulation_services.meeting_schedule(
            case=w.case,
            actor=w.cast.psychologist,
            purpose="formulation",
            starts_at=uk_time(LATER_DAY, 14),
            ends_at=uk_time(LATER_DAY, 15),
            invitees=[gp_invitee()],
            location="Room 1",
        ),
    ),
    (
        "meeting_change",
        lambda w: formulation_services.meeting_change(
            meeting=w.meeting,
            actor=w.cast.senior_practitioner,
            starts_at=uk_time(LATER_DAY, 9),
            ends_at=uk_time(LATER_DAY, 10),
            location="Room 2",
        ),
    ),
    (
        "meeting_invite",
        lambda w: formulation_services.meeting_invite(
            meeting=w.meeting,
            actor=w.cast.senior_practitioner,
            invitees=[formulation_services.Invitee(name="Ann Lee", email="ann@example.org", agency_name="A school")],
        ),
    ),
    (
        "meeting_record",
        lambda w: formulation_services.meeting_record(
            meeting=w.meeting,
            actor=w.cast.senior_practitioner,
            attendance={},
            notes="Held",
            now=w.meeting.ends_at + dt.timedelta(hours=1),
        ),
    ),
    ("report_start", lambda w: formulation_services.report_start(case=w.case, actor=w.cast.psychologist)),
    (
        "report_comment_add",
        lambda w: formulation_services.report_comment_add(
            report=w.report, actor=w.cast.senior_practitioner, text="Say more about school"
        ),
    ),
    (
        "report_sign_off",
        lambda w: formulation_services.report_sign_off(report=w.report, actor=w.cast.senior_practitioner),
    ),
    (
        "recommendation_add",
        lambda w: formulation_services.recommendation_add(
            report=w.report,
            actor=w.cast.psychologist,
            text="A mentor",
            due_on=_today() + dt.timedelta(days=30),
            suits_from_stage=1,
            owner_name="A mentor",
            owner_agency_name="A charity",
        ),
    ),
    (
        "action_progress_add",
        lambda w: review_services.action_progress_add(
            action=w.action, actor=w.cast.case_manager, status=ActionStatus.DONE, note="Done after closing"
        ),
    ),
    (
        "action_owner_change",
        lambda w: review_services.action_owner_change(
            action=w.action, new_owner=w.cast.colleague, reason="Sam left", actor=w.cast.senior_practitioner
        ),
    ),
    (
        "review_cadence_set",
        lambda w: review_services.review_cadence_set(case=w.case, actor=w.cast.case_manager, every_weeks=4),
    ),
    (
        "review_schedule",
        lambda w: review_services.review_schedule(
            case=w.case,
            actor=w.cast.senior_practitioner,
            starts_at=uk_time(LATER_DAY, 14),
            ends_at=uk_time(LATER_DAY, 15),
            invitees=[gp_invitee()],
            location="Room 3",
        ),
    ),
    (
        "review_outcome_set",
        lambda w: review_services.review_outcome_set(
            review=w.review,
            actor=w.cast.senior_practitioner,
            childs_views="Kai is pleased",
            next_review_on=LATER_DAY + dt.timedelta(weeks=8),
        ),
    ),
]


@pytest.mark.parametrize("call", [call for _, call in WRITES], ids=[name for name, _ in WRITES])
def test_every_write_service_refuses_a_closed_case_and_writes_nothing(world: World, call: Callable[..., Any]) -> None:
    before = _snapshot(world)
    with pytest.raises(ValidationError) as refused:
        call(world)
    assert CLOSED in refused.value.messages
    assert _snapshot(world) == before


def test_reopening_is_the_way_back(world: World) -> None:
    case_services.case_reopen(case=world.case, actor=world.cast.case_manager, reason="Kai asked for help again")
    case = Case.objects.get(pk=world.case.pk)
    contact = case_services.contact_log(
        case=case,
        actor=world.cast.case_manager,
        occurred_at=timezone.now(),
        kind=ContactKind.PHONE,
        with_whom="Kai",
        note="Back in touch.",
    )
    assert contact.pk


def test_a_mistake_in_the_childs_details_is_still_corrected_on_a_closed_case(world: World) -> None:
    rectification = case_services.child_rectify(
        case=world.case, actor=world.cast.case_manager, statement="Misspelt at referral", given_name="Kaii"
    )
    assert rectification.pk and Child.objects.get(pk=world.case.child_id).given_name == "Kaii"


def test_a_meeting_left_in_calendars_is_still_called_off_after_the_case_closed(world: World) -> None:
    formulation_services.meeting_cancel(
        meeting=world.meeting, actor=world.cast.senior_practitioner, reason="The case closed"
    )
    assert Meeting.objects.get(pk=world.meeting.pk).status == "cancelled"


# The pages: a POST shows the refusal in the error summary; the pages offer no write action.


def _body(response: Any) -> str:
    return str(response.content.decode())


def test_a_contact_posted_to_a_closed_case_is_refused_in_the_error_summary(world: World, client: Client) -> None:
    client.force_login(world.cast.case_manager)
    before = Contact.objects.count()
    response = client.post(
        f"/cases/{world.case.pk}/contacts/add/", contact_form(note="Typed on a page opened before the case closed.")
    )
    body = _body(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in body and CLOSED in body
    assert "Typed on a page opened before the case closed." in body  # nothing typed is lost
    assert Contact.objects.count() == before


def test_a_holder_change_and_a_network_removal_posted_to_a_closed_case_are_refused(
    world: World, client: Client
) -> None:
    client.force_login(world.cast.case_manager)
    response = client.post(
        f"/cases/{world.case.pk}/case-holder/", {"new_holder": world.new_holder.pk, "reason": "Sam is moving team"}
    )
    assert response.status_code == 200 and CLOSED in _body(response)
    response = client.post(f"/cases/{world.case.pk}/network/{world.member.pk}/remove/")
    assert response.status_code == 200 and CLOSED in _body(response) and "govuk-error-summary" in _body(response)
    assert Case.objects.get(pk=world.case.pk).case_holder_id == world.cast.case_manager.pk
    assert NetworkMember.objects.get(pk=world.member.pk).removed_at is None


WRITE_LINKS = (
    "Log a contact",
    "Add a correction",
    "Log a consultation",
    "Schedule a",
    "Set a goal",
    "THRIVE grouping</a>",
    "Record the child's stage",
    "Change the date, time or place",
    "Invite more people",
    "Add a professional",
    "Change sharing",
    "Mark as significant",
    "Close the case",
)


@pytest.mark.parametrize(
    "who,path",
    [
        ("case_manager", "/cases/{case}/"),
        ("case_manager", "/cases/{case}/contacts/"),
        ("case_manager", "/cases/{case}/contacts/{contact}/"),
        ("psychologist", "/cases/{case}/consultations/"),
        ("psychologist", "/cases/{case}/meetings/"),
        ("senior_practitioner", "/cases/{case}/meetings/{meeting}/"),
        ("case_manager", "/cases/{case}/goals/"),
        ("psychologist", "/cases/{case}/thrive/"),
        ("psychologist", "/cases/{case}/stage/"),
        # The case page's sub-pages, where the write actions of each part now live.
        ("case_manager", "/cases/{case}/network/"),
        ("case_manager", "/cases/{case}/details/"),
        ("psychologist", "/cases/{case}/plan/"),
        ("psychologist", "/cases/{case}/trm/"),
        ("senior_practitioner", "/cases/{case}/meetings-and-reviews/"),
        ("case_manager", "/cases/{case}/chronology/"),
    ],
)
def test_the_pages_of_a_closed_case_offer_no_write_action(world: World, client: Client, who: str, path: str) -> None:
    client.force_login(getattr(world.cast, who))
    url = path.format(case=world.case.pk, contact=world.contact.pk, meeting=world.meeting.pk)
    response = client.get(url)
    assert response.status_code == 200, url
    body = _body(response)
    offered = [link for link in WRITE_LINKS if link in body]
    assert offered == [], f"{url} still offers {offered}"


def test_the_report_in_review_of_a_closed_case_is_read_not_signed_off(world: World, client: Client) -> None:
    client.force_login(world.cast.senior_practitioner)
    page = _body(client.get(f"/cases/{world.case.pk}/formulation/{world.report.pk}/"))
    assert "Sign off this version" not in page and f"/formulation/{world.report.pk}/comment/" not in page
    author = Client()
    author.force_login(world.cast.psychologist)
    page = _body(author.get(f"/cases/{world.case.pk}/formulation/{world.report.pk}/"))
    assert "Edit the report" not in page
    response = client.post(f"/cases/{world.case.pk}/formulation/{world.report.pk}/sign-off/", {"revision": 1})
    assert response.status_code == 302
    assert FormulationReport.objects.get(pk=world.report.pk).status == ReportStatus.IN_REVIEW


def test_a_closed_cases_details_offer_the_correction_of_a_mistake_but_no_change(world: World, client: Client) -> None:
    client.force_login(world.cast.case_manager)
    body = _body(client.get(f"/cases/{world.case.pk}/details/"))
    assert "Correct a mistake in Kai&#x27;s details" in body or "Correct a mistake in Kai's details" in body
    assert "Change Kai" not in body
