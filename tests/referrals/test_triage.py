"""Journey 2, triage: the queue, the referral page, the decision form, and a decision made twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Role
from cases.models import Case
from referrals import triage_views
from referrals.models import Referral, ReferralStatus, TriageDecision
from referrals.services import referral_triage
from tests.conftest import Cast
from tests.factories import child as make_child
from tests.factories import person
from tests.referrals.helpers import draft_referral, submitted_referral

QUEUE = "/referrals/triage/"


def decide(cast: Cast, **overrides: Any) -> dict[str, Any]:
    return {
        "decision": TriageDecision.FORMULATION,
        "psychologist": str(cast.psychologist.pk),
        "senior_practitioner": str(cast.senior_practitioner.pk),
        **overrides,
    }


@pytest.fixture
def alex(cast: Cast, client: Client) -> Client:
    client.force_login(cast.psychologist)
    return client


# The queue.


def test_the_queue_lists_urgent_referrals_first_then_the_longest_waiting_with_days(cast: Cast, alex: Client) -> None:
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=3)):
        recent = submitted_referral(cast, child=make_child(given_name="Recent"), urgency="urgent")
    with time_machine.travel(now - dt.timedelta(days=12)):
        oldest = submitted_referral(cast, child=make_child(given_name="Oldest"))
    with time_machine.travel(now - dt.timedelta(days=5)):
        submitted_referral(cast, child=make_child(given_name="Middling"), urgency="routine")
    draft_referral(cast, child=make_child(given_name="Drafted"))
    submitted_referral(cast, child=make_child(given_name="Banes"), referrer=cast.banes_case_manager, yjs=cast.banes)

    body = alex.get(QUEUE).content.decode()
    # Issue 16: an urgent referral no longer waits behind older routine ones.
    assert body.index("Recent") < body.index("Oldest") < body.index("Middling")
    assert "Drafted" not in body  # drafts are the referring service's own
    assert "Banes" not in body  # a service Alex does not cover
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">12</td>' in body
    assert '<strong class="govuk-tag govuk-tag--red">Urgent</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--yellow">Soon</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--grey">Routine</strong>' in body
    # The day it was submitted, in UK time as the tables write dates, and who referred.
    assert oldest.submitted_at is not None
    submitted = timezone.localtime(oldest.submitted_at)
    assert f'<td class="govuk-table__cell">{submitted.day} {submitted:%b %Y}</td>' in body
    assert f'<td class="govuk-table__cell">{oldest.referrer.get_full_name()}</td>' in body
    assert f'href="/referrals/{oldest.pk}/"' in body
    assert f'href="/referrals/{recent.pk}/"' in body


def test_an_empty_queue_says_so(cast: Cast, alex: Client) -> None:
    body = alex.get(QUEUE).content.decode()
    assert "No referrals are waiting for triage in the services you cover." in body


def test_decided_referrals_leave_the_queue(cast: Cast, alex: Client) -> None:
    referral = submitted_referral(cast, child=make_child(given_name="Decided"))
    referral_triage(referral=referral, actor=cast.psychologist, decision=TriageDecision.CONSULTATION)
    assert "Decided" not in alex.get(QUEUE).content.decode()


# The referral page.


def test_the_referral_page_shows_the_whole_referral_and_logs_the_read(cast: Cast, alex: Client) -> None:
    referral = submitted_referral(cast)
    body = alex.get(f"/referrals/{referral.pk}/").content.decode()
    for shown in (
        referral.child.full_name,
        "Three placement moves this year",
        "Exploitation (criminal or sexual)",
        "Criminal exploitation suspected",
        "Mentoring twice",
        "Soon: within four weeks",
        "The child and their foster carer",
        "Sam Okafor",
        "What is your decision?",
    ):
        assert shown in body, shown
    event = AccessEvent.objects.get(user=cast.psychologist, record_type="referral", record_id=str(referral.pk))
    assert event.action == AccessAction.VIEW


def test_the_case_manager_sees_the_referral_but_no_decision_form(cast: Cast, client: Client) -> None:
    referral = submitted_referral(cast)
    client.force_login(cast.colleague)
    body = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Waiting for triage" in body
    assert "What is your decision?" not in body


def test_another_service_gets_404_for_bristol_referrals(cast: Cast, client: Client) -> None:
    referral = submitted_referral(cast)
    client.force_login(cast.banes_case_manager)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/decision/", decide(cast)).status_code == 404
    refused = AccessEvent.objects.filter(user=cast.banes_case_manager, record_type="referral")
    assert [event.action for event in refused] == [AccessAction.DENIED, AccessAction.DENIED]


def test_a_case_manager_cannot_decide(cast: Cast, client: Client) -> None:
    referral = submitted_referral(cast)
    client.force_login(cast.case_manager)
    assert client.post(f"/referrals/{referral.pk}/decision/", decide(cast)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_only_clinicians_covering_the_service_are_offered_for_allocation(cast: Cast, alex: Client) -> None:
    person("sky", "Sky", "Dorran", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.banes,))
    referral = submitted_referral(cast)
    body = alex.get(f"/referrals/{referral.pk}/").content.decode()
    assert f'<option value="{cast.psychologist.pk}">Alex Morgan</option>' in body
    assert f'<option value="{cast.senior_practitioner.pk}">Jordan Reeve</option>' in body
    assert "Sky Dorran" not in body


# Deciding.


def test_formulation_opens_the_case_and_tells_the_referrer(
    cast: Cast, alex: Client, django_capture_on_commit_callbacks: Any
) -> None:
    referral = submitted_referral(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = alex.post(f"/referrals/{referral.pk}/decision/", decide(cast))
    case = Case.objects.get(child=referral.child)
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.psychologist, case.senior_practitioner, case.case_holder) == (
        cast.psychologist,
        cast.senior_practitioner,
        cast.case_manager,
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cast.case_manager.email]
    body = alex.get(response["Location"]).content.decode()
    assert "Decision recorded" in body


def test_not_accepted_needs_a_reason_and_signposting_and_keeps_what_was_typed(cast: Cast, alex: Client) -> None:
    referral = submitted_referral(cast)
    response = alex.post(
        f"/referrals/{referral.pk}/decision/",
        {"decision": TriageDecision.NOT_ACCEPTED, "decision_reason": "Needs are met by the current plan."},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Referral for" in body
    assert '<a href="#id_signposting">Enter where the referrer could turn instead</a>' in body
    assert "Needs are met by the current plan.</textarea>" in body
    assert 'value="not_accepted" checked' in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_formulation_without_allocation_is_explained(cast: Cast, alex: Client) -> None:
    referral = submitted_referral(cast)
    body = alex.post(f"/referrals/{referral.pk}/decision/", {"decision": "formulation"}).content.decode()
    assert '<a href="#id_psychologist">Choose the psychologist for the formulation</a>' in body
    assert '<a href="#id_senior_practitioner">Choose the senior practitioner for the formulation</a>' in body
    assert not Case.objects.filter(child=referral.child).exists()


def test_an_empty_decision_is_explained(cast: Cast, alex: Client) -> None:
    referral = submitted_referral(cast)
    body = alex.post(f"/referrals/{referral.pk}/decision/", {}).content.decode()
    assert '<a href="#id_decision">Choose a decision</a>' in body


def test_a_second_decision_is_told_who_decided_and_changes_nothing(cast: Cast, alex: Client, client: Client) -> None:
    referral = submitted_referral(cast)
    alex.post(f"/referrals/{referral.pk}/decision/", decide(cast))

    jordan = Client()
    jordan.force_login(cast.senior_practitioner)
    response = jordan.post(
        f"/referrals/{referral.pk}/decision/",
        {"decision": TriageDecision.NOT_ACCEPTED, "decision_reason": "No", "signposting": "Elsewhere"},
    )
    assert response["Location"] == f"/referrals/{referral.pk}/"
    body = jordan.get(response["Location"]).content.decode()
    assert "This referral has already been decided by Alex Morgan" in body
    assert "nothing was changed" in body
    referral.refresh_from_db()
    assert referral.decision == TriageDecision.FORMULATION
    assert referral.decided_by == cast.psychologist
    assert Case.objects.filter(child=referral.child).count() == 1


def test_a_decision_that_loses_the_race_is_caught_and_explained(
    cast: Cast, alex: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page was read while the referral waited; someone decided in between (StaleState in the service)."""
    referral = submitted_referral(cast)

    def decided_meanwhile(**kwargs: Any) -> Case | None:
        referral_triage(referral=referral, actor=cast.senior_practitioner, decision=TriageDecision.CONSULTATION)
        return referral_triage(**kwargs)

    monkeypatch.setattr(triage_views, "referral_triage", decided_meanwhile)
    response = alex.post(f"/referrals/{referral.pk}/decision/", decide(cast))
    assert response.status_code == 302
    body = alex.get(response["Location"]).content.decode()
    assert "already been decided by Jordan Reeve" in body
    assert Case.objects.filter(child=referral.child).count() == 1


# My referrals.


def test_my_referrals_lists_the_referrers_own_with_status_decision_and_days(cast: Cast, client: Client) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=6)):
        decided = submitted_referral(cast, child=make_child(given_name="Decided"))
    referral_triage(referral=decided, actor=cast.psychologist, decision=TriageDecision.CONSULTATION)
    draft_referral(cast, child=make_child(given_name="Drafting"))
    draft_referral(cast, child=make_child(given_name="Priyas"), referrer=cast.colleague)

    client.force_login(cast.case_manager)
    body = client.get("/referrals/").content.decode()
    assert "Drafting" in body
    assert '<strong class="govuk-tag govuk-tag--grey">Draft</strong>' in body
    assert "Decided" in body
    assert "Consultation: advice to the practitioner, by Alex Morgan" in body
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">6</td>' in body
    assert "Priyas" not in body  # a colleague's referral is theirs


def test_my_referrals_starts_empty(cast: Cast, client: Client) -> None:
    client.force_login(cast.colleague)
    body = client.get("/referrals/").content.decode()
    assert "You have not referred a child yet." in body


# Query counts, with enough rows behind each list to expose an N+1.


def _many_referrals(cast: Cast, count: int, *, submit: bool) -> list[Referral]:
    made = []
    for number in range(count):
        child = make_child(given_name=f"Many{number}")
        made.append(submitted_referral(cast, child=child) if submit else draft_referral(cast, child=child))
    return made


def test_the_triage_queue_query_count_is_pinned(cast: Cast, alex: Client, django_assert_max_num_queries: Any) -> None:
    _many_referrals(cast, 55, submit=True)
    # Session, user, the two permission lookups, count, the page of rows (one join), the header's
    # memberships and the session's last-seen stamp: flat however many referrals wait.
    with django_assert_max_num_queries(9):
        response = alex.get(QUEUE)
    assert response.context["page_obj"].paginator.count == 55
    assert len(response.context["rows"]) == 50
    assert alex.get(QUEUE + "?page=2").context["rows"].__len__() == 5


def test_my_referrals_query_count_is_pinned(cast: Cast, client: Client, django_assert_max_num_queries: Any) -> None:
    made = _many_referrals(cast, 30, submit=True)
    _many_referrals(cast, 25, submit=False)
    for referral in made[:10]:
        referral_triage(referral=referral, actor=cast.psychologist, decision=TriageDecision.CONSULTATION)
    client.force_login(cast.case_manager)
    # Session, user, role check, count, the page of rows (one join), memberships, session stamp.
    with django_assert_max_num_queries(8):
        response = client.get("/referrals/")
    assert response.context["page_obj"].paginator.count == 55
