"""The case's pages: for the YJS and the ECM clinicians, the overview and its sub-pages (details, network, plan,
TRM, meetings); for the network, the shared summary on one page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import AccessEvent
from cases.models import Case, LookedAfter
from cases.services import case_close, child_update, network_member_add
from formulation.models import Recommendation
from formulation.services import meeting_schedule
from tests.conftest import Cast
from tests.factories import kais_report, log_contact, person
from tests.formulation.helpers import WINTER_DAY, gp_invitee, school_meeting, uk_time
from trm_stages.services import goal_rate, goal_set, stage_assessment_record, thrive_grouping_set


def page(client: Client, cast: Cast, who: str, sub_page: str = "") -> str:
    """The case's overview (or one of its sub-pages: "details/", "network/"...) as `who` sees it."""
    client.force_login(cast.everyone()[who])
    response = client.get(f"/cases/{cast.case.pk}/{sub_page}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_full_record_shows_every_detail_of_the_child(cast: Cast, client: Client) -> None:
    child_update(
        child=cast.case.child,
        actor=cast.case_manager,
        looked_after=LookedAfter.LOOKED_AFTER,
        address_area="Hartcliffe",
        school="Fernbrook Academy",
    )
    body = page(client, cast, "case_manager", "details/")
    for text in (
        "Kai Brennan",
        "LOC-100231",
        "17 May 2010",
        "Looked after (in care)",
        "Hartcliffe",
        "Fernbrook Academy",
    ):
        assert text in body
    assert "Looked after</strong>" in body  # the flag
    assert "Open</strong>" in body and "Formulation</strong>" in body


def test_the_case_shows_its_holder_and_allocated_clinicians(cast: Cast, client: Client) -> None:
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    body = page(client, cast, "colleague", "details/")
    assert "Sam Okafor" in body and "sam@test.ecm.invalid" in body
    assert "Alex Morgan" in body and "Jordan Reeve" in body
    assert 'Change<span class="govuk-visually-hidden"> case holder</span>' in body
    assert "Case opened" in body  # the case holder history


def test_a_partner_sees_the_shared_summary_and_nothing_from_contacts(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, note="Kai spoke about a fight at the park.")
    network_member_add(case=cast.case, actor=cast.case_manager, name="Dr Imogen Vale", role="GP", agency_name="Avon GP")
    body = page(client, cast, "teacher")
    assert "shared summary" in body
    assert "Kai Brennan" in body and "Bristol YJS" in body and "sam@test.ecm.invalid" in body
    assert "Dr Imogen Vale" in body  # the network is part of the summary
    for hidden in (
        "LOC-100231",
        "Date of birth",
        "fight at the park",
        "Face to face",
        "Contacts (",
        "Change case holder",
    ):
        assert hidden not in body
    assert f"/cases/{cast.case.pk}/contacts/" not in body


def test_the_restricted_flag_shows_only_to_those_who_may_read_restricted_notes(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, restricted=True, note="A disclosure.")
    assert '<strong class="govuk-tag govuk-tag--grey">Restricted notes</strong>' in page(client, cast, "case_manager")
    assert "Restricted notes</strong>" in page(client, cast, "psychologist")
    assert "Restricted notes</strong>" not in page(client, cast, "colleague")
    assert "Restricted notes</strong>" not in page(client, cast, "teacher")


def test_a_closed_case_shows_its_closure(cast: Cast, client: Client) -> None:
    case_close(
        case=cast.case,
        actor=cast.case_manager,
        reason="goals_met",
        outcome_summary="Kai is back in school full time.",
        ending_plan="Kai can text Sam for three months.",
    )
    body = page(client, cast, "case_manager", "details/")
    assert "Closed</strong>" in body
    assert "Kai is back in school full time." in body and "Kai can text Sam for three months." in body
    assert "Reopen the case" in body and "Close the case" not in body
    partner = page(client, cast, "teacher")
    assert "Closed on" in partner and "back in school" not in partner


def test_opening_the_case_page_is_logged(cast: Cast, client: Client) -> None:
    page(client, cast, "psychologist")
    assert AccessEvent.objects.filter(user=cast.psychologist, case_id=cast.case.pk, action="view").exists()


@pytest.mark.parametrize(
    ("who", "status"), [("banes_case_manager", 404), ("commissioner", 404), ("administrator", 404)]
)
def test_people_outside_the_case_do_not_learn_it_exists(cast: Cast, client: Client, who: str, status: int) -> None:
    client.force_login(cast.everyone()[who])
    assert client.get(f"/cases/{cast.case.pk}/").status_code == status


def test_case_pages_query_counts_are_pinned_with_many_rows_behind_them(
    cast: Cast, client: Client, django_assert_max_num_queries
) -> None:
    for number in range(50):
        network_member_add(
            case=cast.case, actor=cast.case_manager, name=f"Professional {number}", role="Youth worker", agency_name="X"
        )
    for number in range(50):
        log_contact(cast.case, cast.case_manager, restricted=number % 5 == 0, days_ago=number + 1)
    for number in range(5):
        person(f"cm{number}", "Case", f"Manager{number}", agency=cast.bristol, role="case_manager")
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    today = timezone.localdate()
    for number in range(30):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=today - dt.timedelta(days=60 - number),
            stage_number=1 + number % 3,
            evidence="Seen at school",
            source="review",
            move_back_note="Moved back",
        )
    thrive_grouping_set(
        case=cast.case, actor=cast.case_manager, grouping="getting_help", applies_from=today, reason="Needs help"
    )
    for number in range(3):
        goal = goal_set(
            case=cast.case,
            actor=cast.case_manager,
            text=f"Goal {number}",
            set_by="Kai with Sam",
            set_on=today - dt.timedelta(days=30),
            start_score=2,
        )
        for days_ago in range(10):
            goal_rate(
                goal=goal,
                actor=cast.case_manager,
                rated_on=today - dt.timedelta(days=days_ago),
                score=5,
                context="other",
            )
    for number in range(8):
        meeting_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            purpose="formulation",
            starts_at=uk_time(WINTER_DAY, 9 + number),
            ends_at=uk_time(WINTER_DAY, 10 + number),
            invitees=[gp_invitee()],
            location="Fernbrook Academy",
        )
    report = kais_report(cast)
    Recommendation.objects.bulk_create(
        Recommendation(
            report=report,
            case=cast.case,
            position=10 + number,
            text=f"Action {number}",
            suits_from_stage=1 + number % 6,
            owner_name="Helen Marsh",
            due_on=today + dt.timedelta(days=number),
            became_action_at=timezone.now(),
        )
        for number in range(30)
    )
    client.force_login(cast.case_manager)
    case_url = f"/cases/{cast.case.pk}/"
    # Every request: session (the session engine is `db`), user, and the person's facts — standing, permissions, the
    # navigation's memberships and unread notifications in one read (3). The access module: the case with the person's
    # relations to it, and the access event (2). The overview's own work: one query for every count and single value
    # of the page and of the sections giving it a row (contacts, consultations, the last contact, restricted notes,
    # the stage and since when, the THRIVE grouping, the next meeting, open and overdue actions, when the next review
    # is due: cases.sections facts), the latest events, the reviews (the one scheduled). None grows with the rows
    # behind it (50 network members and contacts, 30 assessments, 30 actions, 8 meetings).
    with django_assert_max_num_queries(9):
        body = client.get(case_url).content.decode()
    assert "50 contacts" in body
    assert "Stage 3:" in body  # the last of the 30 assessments
    open_actions = Recommendation.objects.filter(case=cast.case, became_action_at__isnull=False).count()
    assert "Getting help" in body and f"{open_actions} open" in body, body[body.index("Where things stand") :]
    # The sub-pages: the network, every row of it, in a query of its own; whether consent to share stands (issue 17).
    with django_assert_max_num_queries(7):
        body = client.get(f"{case_url}network/").content.decode()
    assert body.count("<strong>Professional ") == 50
    # The TRM and goals: the sections' facts, the stage assessments and the TRM reference data, goals and ratings.
    with django_assert_max_num_queries(10):
        body = client.get(f"{case_url}trm/").content.decode()
    assert "Goal 2" in body and "TRM stage over time" in body
    # The plan: the facts, the latest report versions, the actions that no longer suit the child's stage (with the
    # stage assessments and the reference data).
    with django_assert_max_num_queries(10):
        body = client.get(f"{case_url}plan/").content.decode()
    assert "suit a stage above Kai" in body  # the standing sequencing mismatches
    # The meetings and reviews: the facts, meetings, reviews.
    with django_assert_max_num_queries(9):
        body = client.get(f"{case_url}meetings-and-reviews/").content.decode()
    assert "See all Kai's meetings" in body and "Reviews and actions" in body
    # The details: the holders and the clinicians came with the case.
    with django_assert_max_num_queries(8):
        body = client.get(f"{case_url}details/").content.decode()
    assert "Case opened" in body


def test_the_overview_shows_what_is_going_on_and_the_things_to_do_first(cast: Cast, client: Client) -> None:
    """Who works on the case, the stage and since when, THRIVE, the last contact, the next meeting and review,
    the open and overdue actions: each from the sections that own them (cases.sections glance rows)."""
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    today = timezone.localdate()
    for days_ago, stage in ((40, 3), (25, 2), (10, 2)):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=today - dt.timedelta(days=days_ago),
            stage_number=stage,
            evidence="Seen at school",
            source="review",
            move_back_note="Moved back after the move",
        )
    log_contact(cast.case, cast.case_manager, days_ago=4)
    body = page(client, cast, "case_manager")
    for text in (
        "Alex Morgan",
        "Jordan Reeve",
        "Stage 2:",
        "(25 days)",  # since the first of the two assessments at stage 2, not the latest
        "4 days ago",
        "None scheduled",  # no meeting yet
        "Proposed once the formulation report is signed off",
        'aria-current="page" href="/cases/',
    ):
        assert text in body
    assert body.index("Log a contact") < body.index("People and contact")
    assert "Close the case" not in body  # at the foot of the details page, not beside "Log a contact"
    assert "Close the case" in page(client, cast, "case_manager", "details/")


def test_the_overview_says_when_a_contact_is_overdue(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, days_ago=cast.case.contact_frequency_days + 2)
    assert "Contact overdue" in page(client, cast, "case_manager")
    log_contact(cast.case, cast.case_manager, days_ago=1)
    assert "Contact overdue" not in page(client, cast, "case_manager")


@pytest.mark.parametrize("sub_page", ["details/", "plan/", "trm/", "meetings-and-reviews/"])
def test_the_full_record_sub_pages_are_not_the_networks(cast: Cast, client: Client, sub_page: str) -> None:
    client.force_login(cast.teacher)
    assert client.get(f"/cases/{cast.case.pk}/{sub_page}").status_code == 403
    assert "Professional network" in page(client, cast, "teacher", "network/")  # the network is on their summary


def test_the_next_meeting_is_judged_at_the_time_of_each_view(cast: Cast, client: Client) -> None:
    """The overview's facts are SQL compiled once a day (core.db.compiled_daily); "now" in them is the time of
    each view, not of the first one that day."""
    starts_at = timezone.now() + dt.timedelta(hours=1)
    school_meeting(cast, starts_at)
    before = page(client, cast, "case_manager")
    assert f"at {timezone.localtime(starts_at):%H:%M}" in before
    assert "None scheduled" not in before
    with time_machine.travel(starts_at + dt.timedelta(hours=3), tick=False):
        assert "None scheduled" in page(client, cast, "case_manager")
