"""Referral services: drafting, the consent rule and its override, triage, and two deciders at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.models import AgencyKind, Role
from cases.models import Case, CaseEvent, CaseEventKind, CaseKind, CaseStatus
from cases.services import StaleState, case_close
from referrals import services
from referrals.models import Referral, ReferralStatus, TriageDecision
from referrals.services import (
    referral_override_consent,
    referral_refer_new_child,
    referral_save_draft,
    referral_start,
    referral_submit,
    referral_triage,
)
from tests.conftest import Cast
from tests.factories import agency, person
from tests.referrals.helpers import draft_referral, submitted_referral

LONDON = ZoneInfo("Europe/London")
OVERRIDE_REASON = "The child is 17 and Gillick competent; the carer cannot be reached."


def formulation(cast: Cast) -> dict[str, Any]:
    return {
        "decision": TriageDecision.FORMULATION,
        "psychologist": cast.psychologist,
        "senior_practitioner": cast.senior_practitioner,
    }


# Drafting and submitting.


def test_a_new_child_gets_one_record_and_a_draft(cast: Cast) -> None:
    referral = referral_refer_new_child(
        referring_yjs=cast.bristol,
        actor=cast.case_manager,
        given_name="Ruby",
        family_name="Ashdown",
        date_of_birth=dt.date(2011, 2, 3),
        reference="LOC-555001",
        gender="girl",
    )
    assert referral.status == ReferralStatus.DRAFT
    assert referral.child.full_name == "Ruby Ashdown"
    assert referral.child.gender == "girl"
    assert referral.referrer == cast.case_manager


def test_only_a_case_manager_of_the_service_can_start_a_referral(cast: Cast) -> None:
    with pytest.raises(ValidationError) as raised:
        draft_referral(cast, referrer=cast.banes_case_manager, yjs=cast.bristol)
    assert "referring_yjs" in raised.value.message_dict


def test_a_child_has_one_referral_in_progress_at_a_time(cast: Cast) -> None:
    referral = draft_referral(cast)
    with pytest.raises(ValidationError, match="already has a referral in progress"):
        referral_start(child=referral.child, referring_yjs=cast.bristol, actor=cast.colleague)


def test_a_child_with_an_open_case_is_not_referred_again_until_it_closes(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="open ECM case"):
        referral_start(child=cast.case.child, referring_yjs=cast.bristol, actor=cast.case_manager)
    case_close(
        case=cast.case,
        actor=cast.senior_practitioner,
        reason="goals_met",
        outcome_summary="Settled.",
        ending_plan="Text access for three months.",
    )
    referral = referral_start(child=cast.case.child, referring_yjs=cast.bristol, actor=cast.case_manager)
    assert referral.child == cast.case.child  # the story is told once: the same record


def test_saving_a_draft_needs_nothing_and_keeps_what_was_typed(cast: Cast) -> None:
    referral = draft_referral(cast)
    referral_save_draft(referral=referral, actor=cast.case_manager, reasons="Half a thought")
    referral.refresh_from_db()
    assert referral.reasons == "Half a thought"
    assert referral.status == ReferralStatus.DRAFT


def test_a_submitted_referral_can_no_longer_be_changed(cast: Cast) -> None:
    referral = submitted_referral(cast)
    with pytest.raises(StaleState):
        referral_save_draft(referral=referral, actor=cast.case_manager, reasons="Changed my mind")


def test_submit_is_blocked_without_consent(cast: Cast) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    with pytest.raises(ValidationError) as raised:
        referral_submit(referral=referral, actor=cast.case_manager)
    assert set(raised.value.message_dict) == {"child_consent"}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    assert referral.submitted_at is None


def test_submit_names_everything_missing(cast: Cast) -> None:
    referral = draft_referral(cast)
    with pytest.raises(ValidationError) as raised:
        referral_submit(referral=referral, actor=cast.case_manager)
    assert set(raised.value.message_dict) == {
        "reasons",
        "complex_needs",
        "current_risks",
        "tried_before",
        "child_consent",
    }


def test_a_complete_referral_with_consent_is_submitted(cast: Cast) -> None:
    referral = submitted_referral(cast)
    assert referral.status == ReferralStatus.SUBMITTED
    assert referral.submitted_at is not None


# The consent override.


def test_a_covering_senior_practitioner_can_override_missing_consent(cast: Cast) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    referral_override_consent(referral=referral, actor=cast.senior_practitioner, reason=OVERRIDE_REASON)
    referral.refresh_from_db()
    assert referral.consent_override_by == cast.senior_practitioner
    assert referral.consent_override_at is not None
    assert referral_submit(referral=referral, actor=cast.case_manager).status == ReferralStatus.SUBMITTED


@pytest.mark.parametrize("who", ["psychologist", "case_manager", "banes_case_manager", "teacher", "administrator"])
def test_nobody_else_can_override_consent(cast: Cast, who: str) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    with pytest.raises(PermissionDenied):
        referral_override_consent(referral=referral, actor=cast.everyone()[who], reason=OVERRIDE_REASON)
    referral.refresh_from_db()
    assert not referral.consent_override_reason


def test_a_senior_practitioner_who_does_not_cover_the_service_cannot_override(cast: Cast) -> None:
    elsewhere = person(
        "morgan", "Morgan", "Vale", agency=cast.ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(cast.banes,)
    )
    referral = draft_referral(cast, complete=True, consent=False)
    with pytest.raises(PermissionDenied):
        referral_override_consent(referral=referral, actor=elsewhere, reason=OVERRIDE_REASON)


def test_an_override_needs_a_reason_of_twenty_characters(cast: Cast) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    with pytest.raises(ValidationError) as raised:
        referral_override_consent(referral=referral, actor=cast.senior_practitioner, reason="  Too short.  ")
    assert "reason" in raised.value.message_dict


# Triage.


def test_triage_to_formulation_opens_exactly_one_case_and_allocates_the_clinicians(cast: Cast) -> None:
    referral = submitted_referral(cast)
    case = referral_triage(referral=referral, actor=cast.psychologist, **formulation(cast))
    assert case is not None
    assert case.kind == CaseKind.FORMULATION
    assert (case.owning_yjs, case.case_holder) == (cast.bristol, cast.case_manager)
    assert (case.psychologist, case.senior_practitioner) == (cast.psychologist, cast.senior_practitioner)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED_FORMULATION
    assert referral.case == case
    assert referral.decided_by == cast.psychologist
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {CaseEventKind.REFERRAL, CaseEventKind.TRIAGE} <= kinds

    with pytest.raises(StaleState):
        referral_triage(referral=referral, actor=cast.senior_practitioner, decision=TriageDecision.CONSULTATION)
    assert Case.objects.filter(child=referral.child).count() == 1
    referral.refresh_from_db()
    assert referral.decision == TriageDecision.FORMULATION


def test_consultation_opens_a_consultation_only_case(cast: Cast) -> None:
    referral = submitted_referral(cast)
    case = referral_triage(referral=referral, actor=cast.senior_practitioner, decision=TriageDecision.CONSULTATION)
    assert case is not None
    assert case.kind == CaseKind.CONSULTATION
    assert case.status == CaseStatus.OPEN


def test_not_accepted_opens_no_case_and_needs_a_reason_and_signposting(cast: Cast) -> None:
    referral = submitted_referral(cast)
    with pytest.raises(ValidationError) as raised:
        referral_triage(referral=referral, actor=cast.psychologist, decision=TriageDecision.NOT_ACCEPTED)
    assert set(raised.value.message_dict) == {"decision_reason", "signposting"}

    case = referral_triage(
        referral=referral,
        actor=cast.psychologist,
        decision=TriageDecision.NOT_ACCEPTED,
        reason="Needs are met by the current plan.",
        signposting="Local CAMHS single point of access.",
    )
    assert case is None
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NOT_ACCEPTED
    assert referral.signposting == "Local CAMHS single point of access."
    assert not Case.objects.filter(child=referral.child).exists()


def test_formulation_allocates_only_clinicians_who_cover_the_service(cast: Cast) -> None:
    wells = agency("Wells YJS", AgencyKind.YOUTH_JUSTICE)
    elsewhere = person("riley", "Riley", "Stone", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(wells,))
    referral = submitted_referral(cast)
    with pytest.raises(ValidationError) as raised:
        referral_triage(
            referral=referral,
            actor=cast.psychologist,
            decision=TriageDecision.FORMULATION,
            psychologist=elsewhere,
            senior_practitioner=cast.psychologist,  # covers Bristol, but is not a senior practitioner
        )
    assert set(raised.value.message_dict) == {"psychologist", "senior_practitioner"}
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_the_referrer_is_emailed_the_decision_once_it_is_committed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    referral = submitted_referral(cast)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral_triage(referral=referral, actor=cast.psychologist, **formulation(cast))
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.case_manager.email]
    assert "accepted for formulation" in message.subject
    assert f"/referrals/{referral.pk}/" in message.body
    assert referral.child.given_name not in f"{message.subject} {message.body}"  # e-mail names no child


def test_days_to_decision_counts_calendar_days_in_local_time(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 30, tzinfo=LONDON), tick=False):
        referral = submitted_referral(cast)
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 15, tzinfo=LONDON), tick=False):
        referral_triage(referral=referral, actor=cast.psychologist, **formulation(cast))
    referral.refresh_from_db()
    assert referral.days_to_decision == 9


def test_a_decision_on_the_day_of_referral_takes_zero_days(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, 0, tzinfo=LONDON), tick=False):
        referral = submitted_referral(cast)
    with time_machine.travel(dt.datetime(2026, 7, 1, 16, 0, tzinfo=LONDON), tick=False):
        referral_triage(referral=referral, actor=cast.psychologist, decision=TriageDecision.CONSULTATION)
    referral.refresh_from_db()
    assert referral.days_to_decision == 0


# Two people deciding at once, on two real database connections.


@pytest.mark.django_db(transaction=True)
def test_two_people_deciding_at_once_open_one_case(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    referral = submitted_referral(cast)
    real_case_open = services.case_open

    def slow_case_open(**kwargs: Any) -> Case:
        # The first decider holds the row lock a moment longer, so the second surely waits on it.
        time.sleep(0.5)
        return real_case_open(**kwargs)

    monkeypatch.setattr(services, "case_open", slow_case_open)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor: Any, decision: str) -> None:
        try:
            start.wait()
            fresh = Referral.objects.get(pk=referral.pk)  # each thread reads it on its own connection
            arguments: dict[str, Any] = {"decision": decision}
            if decision == TriageDecision.FORMULATION:
                arguments.update(psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner)
            referral_triage(referral=fresh, actor=actor, **arguments)
            outcomes.append(decision)
        except StaleState:
            outcomes.append("already decided")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(cast.psychologist, TriageDecision.FORMULATION)),
        threading.Thread(target=decide, args=(cast.senior_practitioner, TriageDecision.CONSULTATION)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2
    assert outcomes.count("already decided") == 1
    assert Case.objects.filter(child=referral.child).count() == 1
    referral.refresh_from_db()
    assert referral.case is not None
    assert referral.decision in outcomes
