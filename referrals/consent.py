"""Consent over time (issue 17): record consent again, change it, withdraw it, and, when consent to share is
withdrawn, a senior practitioner's lawful basis to go on sharing. Reads and writes of the case's consent history
(referrals.ConsentRecord); the access module turns the history into who sees the shared summary
(cases/access/consent.py), so a withdrawal ends the network's view at once, on every page.

Who may do what: whoever may change the case (its service's case managers, the covering clinicians) records
consent and withdrawals; only a covering senior practitioner records a lawful basis, and only while sharing is
stopped. A closed case is read-only. Every record is audited: a line on the chronology, and the history table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.history import acting_as
from cases import access
from cases.access import Action
from cases.access.consent import SharingState, sharing_state, sharing_state_from
from cases.models import Case, CaseEventKind, Visibility
from cases.services import case_event_add, ensure_open
from referrals.consent_models import (
    ConsentFrom,
    ConsentKind,
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
    LawfulBasis,
)
from referrals.models import ConsentAnswer, Referral

# The ways of recording a consent someone can choose (the referral's "not recorded" is for backfilled records).
METHODS = [(value, label) for value, label in ConsentMethod.choices if value != ConsentMethod.NOT_RECORDED]
MIN_EXPLANATION = 20


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


# --- Reading ---------------------------------------------------------------------------------------------


def consent_history(case: Case) -> QuerySet[ConsentRecord]:
    """Every consent record of the case, newest first."""
    return ConsentRecord.objects.filter(case=case).select_related("recorded_by").order_by("-recorded_at", "-pk")


@dataclass(frozen=True)
class PurposeNow:
    purpose: str
    label: str
    record: ConsentRecord | None  # the latest record that names the purpose (None: never asked)

    @property
    def status(self) -> str:
        if self.record is None:
            return "Not recorded"
        if self.record.is_lawful_basis:
            return "Withdrawn: sharing continues on a lawful basis"
        return str(self.record.get_kind_display())


@dataclass(frozen=True)
class ConsentNow:
    """The case's consent as it stands: each purpose's latest record, and what that means for sharing."""

    purposes: list[PurposeNow]
    sharing: SharingState
    history: list[ConsentRecord]


def consent_now(case: Case) -> ConsentNow:
    """The current state of each purpose, derived from the latest record naming it (one query for the history)."""
    history = list(consent_history(case))
    purposes = [
        PurposeNow(purpose, label, next((record for record in history if purpose in record.purposes), None))
        for purpose, label in ConsentPurpose.choices
    ]
    return ConsentNow(purposes=purposes, sharing=sharing_state_from(history), history=history)


def may_record_consent(user: Any, case: Case) -> bool:
    return access.may(user, Action.CHANGE, case)


def may_record_lawful_basis(user: Any, case: Case) -> bool:
    return access.may(user, Action.CONTINUE_SHARING, case)


# --- Writing ---------------------------------------------------------------------------------------------


def _check_who_and_how(
    errors: dict[str, str], *, given_by: str, given_by_name: str, method: str, purposes: list[str], on: Any
) -> None:
    if given_by not in ConsentFrom.values:
        errors["given_by"] = "Choose who gave it: the child, or a parent or carer"
    elif given_by == ConsentFrom.PARENT_CARER and not given_by_name.strip():
        errors["given_by_name"] = "Enter the parent's or carer's name and their relationship to the child"
    if method not in dict(METHODS):
        errors["method"] = "Choose how it was given: verbally, in writing or on a signed form"
    if not purposes or set(purposes) - set(ConsentPurpose.values):
        errors["purposes"] = "Choose what it is for"
    if not isinstance(on, dt.date):
        errors["on"] = "Enter the date"
    elif on > timezone.localdate():
        errors["on"] = "The date must be today or in the past"


def _summary_of(record: ConsentRecord) -> str:
    who = ConsentFrom(record.given_by).label.lower() if record.given_by else ""
    if record.given_by_name:
        who = f"{who} ({record.given_by_name})"
    what = "; ".join(label.lower() for label in record.purpose_labels())
    how = ConsentMethod(record.method).label.split(" (")[0].lower() if record.method else ""
    verb = {ConsentKind.GIVEN: "given", ConsentKind.REFUSED: "refused", ConsentKind.WITHDRAWN: "withdrawn"}
    return f"Consent {verb[ConsentKind(record.kind)]} by {who}, {how}, on {long_date(record.on)}: {what}"


def _event(record: ConsentRecord, summary: str, actor: Any) -> None:
    case_event_add(
        case=record.case,
        kind=CaseEventKind.NETWORK,
        summary=summary,
        actor=actor,
        visibility=Visibility.FULL,
        link=reverse("cases:details", args=[record.case_id]) + "#consent-heading",
    )


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: Any,
    kind: str,
    given_by: str,
    method: str,
    purposes: list[str],
    on: dt.date,
    given_by_name: str = "",
    explanation: str = "",
) -> ConsentRecord:
    """Record consent given (or refused) again, or changed: a new record, which becomes the current state of
    the purposes it names. Giving consent to share again restores the network's view of the summary."""
    if not may_record_consent(actor, case):
        raise PermissionDenied("Only the case's service and the covering clinicians record consent.")
    ensure_open(case)
    errors: dict[str, str] = {}
    if kind not in (ConsentKind.GIVEN, ConsentKind.REFUSED):
        errors["kind"] = "Choose whether consent was given or refused"
    _check_who_and_how(errors, given_by=given_by, given_by_name=given_by_name, method=method, purposes=purposes, on=on)
    if errors:
        raise ValidationError(errors)
    return _save(
        case,
        actor,
        kind=kind,
        given_by=given_by,
        given_by_name=given_by_name,
        method=method,
        purposes=purposes,
        on=on,
        explanation=explanation,
    )


@transaction.atomic
def consent_withdraw(
    *,
    case: Case,
    actor: Any,
    given_by: str,
    method: str,
    purposes: list[str],
    on: dt.date,
    given_by_name: str = "",
    explanation: str = "",
) -> ConsentRecord:
    """Record that consent was withdrawn for some purposes. Withdrawing consent to share the summary ends the
    network's view of it at once (the access module), until consent is given again or a lawful basis recorded."""
    if not may_record_consent(actor, case):
        raise PermissionDenied("Only the case's service and the covering clinicians record a withdrawal.")
    ensure_open(case)
    errors: dict[str, str] = {}
    _check_who_and_how(errors, given_by=given_by, given_by_name=given_by_name, method=method, purposes=purposes, on=on)
    if errors:
        raise ValidationError(errors)
    return _save(
        case,
        actor,
        kind=ConsentKind.WITHDRAWN,
        given_by=given_by,
        given_by_name=given_by_name,
        method=method,
        purposes=purposes,
        on=on,
        explanation=explanation,
    )


def _save(case: Case, actor: Any, **fields: Any) -> ConsentRecord:
    before = sharing_state(case)
    with acting_as(actor):
        record = ConsentRecord.objects.create(
            case=case,
            recorded_by=actor,
            **{
                **fields,
                "given_by_name": fields["given_by_name"].strip(),
                "explanation": fields["explanation"].strip(),
            },
        )
        summary = _summary_of(record)
        after = sharing_state(case)
        if after.stopped and not before.stopped:
            summary += ". Sharing the summary with the network stopped"
        elif before.stopped and not after.stopped:
            summary += ". The network sees the shared summary again"
        _event(record, summary, actor)
    return record


@transaction.atomic
def sharing_lawful_basis_record(*, case: Case, actor: Any, basis: str, explanation: str) -> ConsentRecord:
    """A covering senior practitioner records why the summary goes on being shared without consent (safeguarding):
    the network sees it again, and the chronology and the Network page say so."""
    if not may_record_lawful_basis(actor, case):
        raise PermissionDenied("Only a senior practitioner covering the case's service records a lawful basis.")
    ensure_open(case)
    errors: dict[str, str] = {}
    if basis not in LawfulBasis.values:
        errors["basis"] = "Choose the lawful basis for sharing without consent"
    if len(explanation.strip()) < MIN_EXPLANATION:
        errors["explanation"] = (
            f"Explain why sharing must continue without consent, in at least {MIN_EXPLANATION} characters"
        )
    if errors:
        raise ValidationError(errors)
    # One at a time per case: a withdrawal and a lawful basis at the same moment take turns.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    if not sharing_state(case).stopped:
        raise ValidationError(
            {"basis": "Sharing has not stopped: a lawful basis is needed only after consent to share is withdrawn"}
        )
    with acting_as(actor):
        record = ConsentRecord.objects.create(
            case=case,
            kind=ConsentKind.LAWFUL_BASIS,
            purposes=[ConsentPurpose.SHARE_SUMMARY],
            on=timezone.localdate(),
            basis=basis,
            explanation=explanation.strip(),
            recorded_by=actor,
        )
        _event(
            record,
            f"Sharing the summary with the network continues without consent on a lawful basis "
            f"({LawfulBasis(basis).label.lower()}), recorded by {actor.get_full_name()}",
            actor,
        )
    return record


# --- The referral's consent: the case's first records ------------------------------------------------------


def referral_consent_records(referral: Referral) -> list[ConsentRecord]:
    """The referral's consent as the case's first records (as the migration backfilled existing cases):
    the child's and the parent's or carer's answers, given or refused, each one record."""
    if referral.case_id is None:
        return []
    at = referral.submitted_at or referral.created_at or timezone.now()
    on = referral.consent_date or timezone.localdate(at)
    records = []
    for answer, who in (
        (referral.child_consent, ConsentFrom.CHILD),
        (referral.carer_consent, ConsentFrom.PARENT_CARER),
    ):
        if answer not in (ConsentAnswer.GIVEN, ConsentAnswer.REFUSED):
            continue
        purposes = [ConsentPurpose.ECM_WORK]
        if answer == ConsentAnswer.GIVEN and referral.consent_covers_sharing:
            purposes.append(ConsentPurpose.SHARE_SUMMARY)
        records.append(
            ConsentRecord(
                case_id=referral.case_id,
                kind=str(answer),
                purposes=[str(purpose) for purpose in purposes],
                given_by=str(who),
                given_by_name=referral.consent_given_by[:200],
                method=ConsentMethod.NOT_RECORDED,
                on=on,
                recorded_by_id=referral.referrer_id,
                recorded_at=at,
                referral=referral,
            )
        )
    return ConsentRecord.objects.bulk_create(records)
