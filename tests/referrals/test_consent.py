"""Consent over time (issue 17): recording, changing and withdrawing consent, and what a withdrawal does to the
network's view of the shared summary, through the one access module (cases/access/consent.py)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from cases import access
from cases.access import Action
from cases.access.consent import sharing_state
from cases.models import CaseEvent, CaseEventKind
from cases.services import case_close, case_share_summary
from referrals.consent import consent_now, consent_record, consent_withdraw, sharing_lawful_basis_record
from referrals.consent_models import ConsentKind, ConsentRecord
from referrals.models import Referral
from referrals.services import referral_triage
from tests.clock import hold_today
from tests.conftest import Cast
from tests.referrals.helpers import submitted_referral

TODAY = dt.date(2026, 11, 18)
_today = hold_today(TODAY)

SHARE = ["share_summary"]
WHO_HOW: dict[str, Any] = {"given_by": "child", "method": "verbal", "on": TODAY - dt.timedelta(days=1)}


def withdraw(cast: Cast, **overrides: Any) -> ConsentRecord:
    fields = {"actor": cast.case_manager, **WHO_HOW, "purposes": SHARE, **overrides}
    return consent_withdraw(case=cast.case, **fields)


def teacher_sees(cast: Cast) -> int:
    client = Client()
    client.force_login(cast.teacher)
    return client.get(f"/cases/{cast.case.pk}/").status_code


def test_withdrawing_consent_to_share_ends_a_partners_access_at_once(cast: Cast) -> None:
    assert teacher_sees(cast) == 200
    withdraw(cast)
    # Every page, API and PDF asks the access module: the summary, the network page, the API, the case list.
    client = Client()
    client.force_login(cast.teacher)
    for path in (f"/cases/{cast.case.pk}/", f"/cases/{cast.case.pk}/network/", f"/api/v1/cases/{cast.case.pk}/"):
        assert client.get(path).status_code == 404, path
    assert cast.case.pk not in access.visible_cases(cast.teacher).values_list("pk", flat=True)
    assert not access.may(cast.teacher, Action.VIEW_SUMMARY, cast.case)
    assert cast.teacher.pk not in {viewer.person.pk for viewer in access.who_can_see(cast.case)}
    assert sharing_state(cast.case).stopped
    event = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.NETWORK).latest("occurred_at")
    assert "Consent withdrawn by the child" in event.summary and "stopped" in event.summary


def test_a_share_through_the_agency_group_ends_too(cast: Cast) -> None:
    case_share_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)
    assert access.may(cast.social_worker, Action.VIEW_SUMMARY, cast.case)
    withdraw(cast)
    assert not access.visible_cases(cast.social_worker).filter(pk=cast.case.pk).exists()


def test_withdrawing_another_purpose_leaves_sharing_alone(cast: Cast) -> None:
    withdraw(cast, purposes=["ask_agencies"])
    assert teacher_sees(cast) == 200
    assert not sharing_state(cast.case).stopped


def test_consent_given_again_restores_sharing_and_the_latest_record_is_the_state(cast: Cast) -> None:
    withdraw(cast)
    assert teacher_sees(cast) == 404
    consent_record(
        case=cast.case,
        actor=cast.psychologist,
        kind=ConsentKind.GIVEN,
        given_by="parent_carer",
        given_by_name="Jo Brennan, mother",
        method="signed_form",
        purposes=["share_summary", "ecm_work"],
        on=TODAY,
    )
    assert teacher_sees(cast) == 200
    now = {purpose.purpose: purpose for purpose in consent_now(cast.case).purposes}
    assert now["share_summary"].status == "Consent given"
    assert now["ask_agencies"].status == "Not recorded"
    assert [record.kind for record in consent_now(cast.case).history] == ["given", "withdrawn"]


def test_a_lawful_basis_restores_sharing_and_is_audited(cast: Cast) -> None:
    withdraw(cast)
    record = sharing_lawful_basis_record(
        case=cast.case,
        actor=cast.senior_practitioner,
        basis="safeguarding_child",
        explanation="Kai was seen with adults suspected of exploiting him; school must keep watch.",
    )
    assert teacher_sees(cast) == 200
    state = sharing_state(cast.case)
    assert state.continues_on_lawful_basis and state.lawful_basis == record and state.stopped_kind == "withdrawn"
    event = CaseEvent.objects.filter(case=cast.case).latest("occurred_at")
    assert "lawful basis" in event.summary and "Jordan Reeve" in event.summary
    assert record.history.count() == 1  # type: ignore[attr-defined] # kept, append-only, in the history table
    # A later withdrawal stops sharing again: the lawful basis answered the one before it.
    withdraw(cast, given_by="parent_carer", given_by_name="Jo Brennan, mother")
    assert teacher_sees(cast) == 404


def test_who_may_record_what(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        withdraw(cast, actor=cast.teacher)
    with pytest.raises(PermissionDenied):
        consent_withdraw(case=cast.case, actor=cast.banes_case_manager, purposes=SHARE, **WHO_HOW)
    withdraw(cast)
    for who in (cast.case_manager, cast.psychologist):
        with pytest.raises(PermissionDenied):
            sharing_lawful_basis_record(
                case=cast.case, actor=who, basis="safeguarding_child", explanation="A reason long enough to pass."
            )


def test_the_services_validate(cast: Cast) -> None:
    with pytest.raises(ValidationError) as caught:
        withdraw(cast, given_by="parent_carer", method="not_recorded", purposes=[], on=TODAY + dt.timedelta(days=1))
    assert set(caught.value.message_dict) == {"given_by_name", "method", "purposes", "on"}
    with pytest.raises(ValidationError) as caught:
        sharing_lawful_basis_record(
            case=cast.case, actor=cast.senior_practitioner, basis="safeguarding_child", explanation="Needed."
        )
    assert "explanation" in caught.value.message_dict
    # Sharing has not stopped: no lawful basis is needed.
    with pytest.raises(ValidationError) as caught:
        sharing_lawful_basis_record(
            case=cast.case,
            actor=cast.senior_practitioner,
            basis="safeguarding_child",
            explanation="A reason long enough to pass the check.",
        )
    assert "basis" in caught.value.message_dict
    assert not ConsentRecord.objects.filter(case=cast.case).exists()


def test_a_closed_case_is_read_only(cast: Cast) -> None:
    case_close(
        case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="Settled.", ending_plan="Call us."
    )
    with pytest.raises(ValidationError):
        withdraw(cast)


def test_triage_makes_the_referrals_consent_the_cases_first_records(cast: Cast) -> None:
    referral = submitted_referral(cast)
    case = referral_triage(
        referral=referral,
        actor=cast.psychologist,
        decision="formulation",
        psychologist=cast.psychologist,
        senior_practitioner=cast.senior_practitioner,
    )
    assert case is not None
    records = list(ConsentRecord.objects.filter(case=case).order_by("given_by"))
    assert [(r.kind, r.given_by, r.method) for r in records] == [
        ("given", "child", "not_recorded"),
        ("given", "parent_carer", "not_recorded"),
    ]
    assert all(set(r.purposes) == {"ecm_work", "share_summary"} and r.referral_id == referral.pk for r in records)
    assert not sharing_state(case).stopped


def test_the_migration_backfills_the_referrals_consent_and_a_refusal_never_stops_sharing(cast: Cast) -> None:
    backfill = importlib.import_module("referrals.migrations.0003_consent_over_time").referral_consent_backfill
    referral = submitted_referral(cast)
    case = referral_triage(
        referral=referral, actor=cast.psychologist, decision="consultation", psychologist=None, senior_practitioner=None
    )
    assert case is not None
    # As a database had it before the migration: a refusal by the carer, and no consent records yet.
    Referral.objects.filter(pk=referral.pk).update(carer_consent="refused")
    ConsentRecord.objects.all().delete()
    backfill(apps, None)
    records = {r.given_by: r for r in ConsentRecord.objects.filter(case=case)}
    assert records["child"].kind == "given" and set(records["child"].purposes) == {"ecm_work", "share_summary"}
    assert records["parent_carer"].kind == "refused" and records["parent_carer"].purposes == ["ecm_work"]
    assert records["child"].on == referral.consent_date and records["child"].recorded_by_id == cast.case_manager.pk
    assert not sharing_state(case).stopped
