"""Writes for a child and their case: opening, the child's details, the holder, closing and reopening,
and the chronology line every write adds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Membership, Role, User
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseHolderChange,
    CaseKind,
    CaseStatus,
    Child,
    ClosureReason,
    Visibility,
)

SUMMARY_PERMISSION = "cases.view_case_summary"

# Roles whose people can sit in a child's network. Commissioners see aggregates only and
# administrators do not read case content, so neither can join (nor be shared a summary).
NETWORK_ROLES = (Role.CASE_MANAGER, Role.PSYCHOLOGIST, Role.SENIOR_PRACTITIONER, Role.PARTNER)

CHILD_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "reference",
    "gender",
    "ethnicity",
    "looked_after",
    "legal_status",
    "address_area",
    "school",
)


class StaleState(Exception):
    """The record changed state under us (someone else acted first)."""


CLOSED_MESSAGE = "This case is closed. Reopen it to add or change anything."


def ensure_open(case: Case | int) -> None:
    """Refuse a write to a closed case (or case id): closed means read-only; reopening is the way back. Every write
    service that adds to or changes a case's record calls this first, reading the case's status from the
    database so a page opened before the case closed cannot get round it, and holding the case's row until
    the caller's transaction ends so a close at the same moment waits for this write (or this write sees the
    close). Corrections of a mistake in the child's details (`child_rectify`) do not call it: rectification
    is a data-rights duty that outlives the case."""
    case_id = case if isinstance(case, int) else case.pk
    status = Case.objects.select_for_update(no_key=True).filter(pk=case_id).values_list("status", flat=True).first()
    if status != CaseStatus.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: CLOSED_MESSAGE})


def case_event_add(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor: Any,
    visibility: str = Visibility.FULL,
    link: str = "",
    occurred_at: dt.datetime | None = None,
    significant: bool = False,
) -> CaseEvent:
    """Append one line to the case's chronology. Callers run it inside their own transaction."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        summary=summary[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        visibility=visibility,
        link=link,
        occurred_at=occurred_at or timezone.now(),
        significant=significant,
    )


@transaction.atomic
def child_create(*, actor: Any, **fields: Any) -> Child:
    """Create the one record of a child."""
    with acting_as(actor):
        child = Child(**{name: value for name, value in fields.items() if name in CHILD_FIELDS})
        child.full_clean()
        child.save()
    return child


@transaction.atomic
def child_update(*, child: Child, actor: Any, **fields: Any) -> Child:
    """Change a child's details; the before values are kept in the child's history."""
    changed = [name for name in CHILD_FIELDS if name in fields and getattr(child, name) != fields[name]]
    if not changed:
        return child
    with acting_as(actor):
        for name in changed:
            setattr(child, name, fields[name])
        child.full_clean()
        child.save(update_fields=changed)
    return child


@transaction.atomic
def case_child_update(*, case: Case, actor: Any, **fields: Any) -> Child:
    """Change the details of a case's child from that case; the case's chronology notes which details changed."""
    ensure_open(case)
    child = case.child
    changed = [
        str(getattr(Child._meta.get_field(name), "verbose_name", name))
        for name in CHILD_FIELDS
        if name in fields and getattr(child, name) != fields[name]
    ]
    child_update(child=child, actor=actor, **fields)
    if changed:
        with acting_as(actor):
            case_event_add(
                case=case,
                kind=CaseEventKind.OTHER,
                summary="Child's details changed: " + ", ".join(changed),
                actor=actor,
            )
    return child


def _is_case_manager_of(user: User, yjs: Agency) -> bool:
    return Membership.objects.filter(
        user=user, user__is_active=True, agency=yjs, agency__is_active=True, role=Role.CASE_MANAGER, is_active=True
    ).exists()


def may_join_networks(user: User) -> bool:
    return Membership.objects.filter(
        user=user, user__is_active=True, role__in=NETWORK_ROLES, is_active=True, agency__is_active=True
    ).exists()


@transaction.atomic
def case_open(
    *,
    child: Child,
    owning_yjs: Agency,
    case_holder: User,
    actor: Any,
    kind: str = CaseKind.FORMULATION,
    psychologist: User | None = None,
    senior_practitioner: User | None = None,
) -> Case:
    """Open an ECM case for a child, owned by a YJS and held by one of its case managers."""
    if owning_yjs.kind != AgencyKind.YOUTH_JUSTICE:
        raise ValidationError({"owning_yjs": "A case is owned by a youth justice service."})
    if not _is_case_manager_of(case_holder, owning_yjs):
        raise ValidationError({"case_holder": "The case holder must be a case manager of the owning service."})
    with acting_as(actor):
        case = Case(
            child=child,
            owning_yjs=owning_yjs,
            case_holder=case_holder,
            kind=kind,
            psychologist=psychologist,
            senior_practitioner=senior_practitioner,
        )
        case.full_clean()
        case.save()
        CaseHolderChange.objects.create(
            case=case, previous_holder=None, new_holder=case_holder, reason="Case opened", changed_by=actor
        )
        case_event_add(
            case=case,
            kind=CaseEventKind.STATUS,
            summary=f"{case.get_kind_display()} case opened, held by {case_holder.get_full_name()}",
            actor=actor,
            visibility=Visibility.SUMMARY,
        )
    return case


@transaction.atomic
def case_holder_change(*, case: Case, new_holder: User, reason: str, actor: User) -> CaseHolderChange:
    """Hand the case to another case manager of the owning YJS; every change is kept."""
    ensure_open(case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the change"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if new_holder.pk == case.case_holder_id:
        raise ValidationError({"new_holder": "Choose a different case manager: this person already holds the case"})
    if not _is_case_manager_of(new_holder, case.owning_yjs):
        raise ValidationError({"new_holder": "Choose a case manager of the service that owns the case"})
    with acting_as(actor):
        change = CaseHolderChange.objects.create(
            case=case,
            previous_holder=case.case_holder,
            new_holder=new_holder,
            reason=reason,
            changed_by=actor,
        )
        previous = case.case_holder
        case.case_holder = new_holder
        case.save(update_fields=["case_holder"])
        case_event_add(
            case=case,
            kind=CaseEventKind.CASE_HOLDER,
            # The reason is free text from the full record: it stays in the holder history, not the summary line.
            summary=f"Case holder changed from {previous.get_full_name()} to {new_holder.get_full_name()}",
            actor=actor,
            visibility=Visibility.SUMMARY,
        )
    return change


@transaction.atomic
def case_close(*, case: Case, actor: User, reason: str, outcome_summary: str, ending_plan: str) -> Case:
    """Close an open case with its reason, outcome and ending plan. The child's record stays.

    The final TRM stage is the stage the latest assessment gave (kept on the case by trm_stages).
    """
    errors = {}
    if reason not in ClosureReason.values:
        errors["reason"] = "Choose the reason for closing the case"
    if not outcome_summary.strip():
        errors["outcome_summary"] = "Enter a summary of the outcome"
    if not ending_plan.strip():
        errors["ending_plan"] = "Enter the ending plan (the safety net after ECM)"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with acting_as(actor):
        # Conditional update: of two people closing at once, only one succeeds.
        updated = Case.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED,
            closed_at=now,
            closed_by=actor,
            closure_reason=reason,
            outcome_summary=outcome_summary.strip(),
            ending_plan=ending_plan.strip(),
            final_trm_stage=F("trm_stage"),
        )
        if updated != 1:
            raise StaleState("This case is already closed.")
        case.refresh_from_db()
        case_event_add(
            case=case,
            kind=CaseEventKind.STATUS,
            summary=f"Case closed: {case.get_closure_reason_display()}",
            actor=actor,
            visibility=Visibility.SUMMARY,
        )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    """Reopen a closed case, with a reason. The closure stays in the case's history."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for reopening the case"})
    with acting_as(actor):
        updated = Case.objects.filter(pk=case.pk, status=CaseStatus.CLOSED).update(
            status=CaseStatus.OPEN, closed_at=None, closed_by=None, final_trm_stage=None
        )
        if updated != 1:
            raise StaleState("This case is already open.")
        case.refresh_from_db()
        # The network sees that the case reopened; why is free text from the full record.
        case_event_add(
            case=case, kind=CaseEventKind.STATUS, summary="Case reopened", actor=actor, visibility=Visibility.SUMMARY
        )
        case_event_add(
            case=case,
            kind=CaseEventKind.STATUS,
            summary=f"Reason for reopening: {reason.strip()}",
            actor=actor,
            visibility=Visibility.FULL,
        )
    return case
