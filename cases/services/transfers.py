"""Moving a case to another youth justice service (issue 17): offer, withdraw, decline, accept.

The holding service offers the case (someone who may change it: a case manager of the owning service or a
covering ECM clinician) with a reason; the receiving service's case managers and the senior practitioners
covering it are told (a hand-off) and accept, choosing a holder among the receiving service's case managers,
or decline with a reason; the offering service may withdraw the offer while it is pending. One pending offer
per case (checked here, and by a partial unique constraint for two offers at once).

Accepting, in one transaction: the offer is accepted; the case's spell with the old service ends and one with
the new service starts (cases.CaseHolding, which the reports read); the case holder changes (a
CaseHolderChange, as every change of holder); the case's owning service changes; the chronology says so (a
significant line everyone who sees the case reads). Every row is change-tracked (accounts.history) with who
acted. The old service then reads the case for ECM_TRANSFER_READ_DAYS (cases/access/former.py).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Coverage, Membership, Role, User
from cases import access
from cases.access import Action
from cases.models import (
    Case,
    CaseEventKind,
    CaseHolderChange,
    CaseHolding,
    CaseTransfer,
    TransferStatus,
    Visibility,
)
from cases.services.records import StaleState, case_event_add, ensure_open
from core.handoffs import hand_off

# Hand-off kinds (delivered as reminders: cases/transfer_notices.py).
TRANSFER_OFFERED = "handoff_transfer_offered"  # to the receiving service's case managers and senior practitioners
TRANSFER_DECIDED = "handoff_transfer_decided"  # to the person who offered it (and the new holder, on acceptance)

ALREADY_OFFERED = "This case is already offered to {service}. Withdraw that offer before offering it elsewhere."
NOT_PENDING = "This offer was already {status}."


def receiving_staff(yjs: Agency) -> list[User]:
    """Who hears of an offer to `yjs`: its active case managers and the senior practitioners covering it."""
    case_managers = Membership.objects.filter(
        agency=yjs, role=Role.CASE_MANAGER, is_active=True, agency__is_active=True
    )
    seniors = Membership.objects.filter(
        role=Role.SENIOR_PRACTITIONER, is_active=True, user__in=Coverage.objects.filter(yjs=yjs).values("clinician_id")
    )
    return list(
        User.objects.filter(is_active=True).filter(
            Q(pk__in=case_managers.values("user_id")) | Q(pk__in=seniors.values("user_id"))
        )
    )


def _is_case_manager_of(person: User, yjs: Agency) -> bool:
    return Membership.objects.filter(
        user=person, user__is_active=True, agency=yjs, agency__is_active=True, role=Role.CASE_MANAGER, is_active=True
    ).exists()


@transaction.atomic
def transfer_offer(*, case: Case, actor: User, to_yjs: Agency | None, reason: str, note: str = "") -> CaseTransfer:
    """Offer an open case to another youth justice service, with why (and a note for them)."""
    ensure_open(case)
    if not access.may(actor, Action.CHANGE, case):
        raise ValidationError({NON_FIELD_ERRORS: "You may not transfer this case."})
    case = Case.objects.select_related("owning_yjs").get(pk=case.pk)
    errors: dict[str, str] = {}
    if to_yjs is None:
        errors["to_yjs"] = "Choose the youth justice service to offer the case to"
    elif to_yjs.kind != AgencyKind.YOUTH_JUSTICE or not to_yjs.is_active:
        errors["to_yjs"] = "Choose a youth justice service that uses ECM"
    elif to_yjs.pk == case.owning_yjs_id:
        errors["to_yjs"] = f"Choose another service: {case.owning_yjs.name} already holds the case"
    if not reason.strip():
        errors["reason"] = "Enter why the case should move to the other service"
    pending = CaseTransfer.objects.select_related("to_yjs").filter(case=case, status=TransferStatus.PENDING).first()
    if pending is not None:
        errors[NON_FIELD_ERRORS] = ALREADY_OFFERED.format(service=pending.to_yjs.name)
    if errors or to_yjs is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), acting_as(actor):
            transfer = CaseTransfer.objects.create(
                case=case,
                from_yjs=case.owning_yjs,
                to_yjs=to_yjs,
                reason=reason.strip(),
                note=note.strip(),
                offered_by=actor,
                offered_at=timezone.now(),
            )
    except IntegrityError as error:  # another offer went in at the same moment
        raise ValidationError({NON_FIELD_ERRORS: "This case was offered to another service a moment ago."}) from error
    with acting_as(actor):
        case_event_add(
            case=case,
            kind=CaseEventKind.OTHER,
            summary=f"Offered to {to_yjs.name} for transfer by {actor.get_full_name()}",
            actor=actor,
            visibility=Visibility.FULL,
        )
    hand_off(
        kind=TRANSFER_OFFERED,
        subject_type="case_transfer",
        subject_id=transfer.pk,
        case_id=case.pk,
        recipients=receiving_staff(to_yjs),
        actor=actor,
    )
    return transfer


def _decide(transfer: CaseTransfer, *, actor: User, status: str, **fields: object) -> CaseTransfer:
    """Move a pending offer to `status`, once: of two people deciding at once, one wins (StaleState)."""
    now = timezone.now()
    with acting_as(actor):
        updated = CaseTransfer.objects.filter(pk=transfer.pk, status=TransferStatus.PENDING).update(
            status=status, decided_by=actor, decided_at=now, **fields
        )
    if updated != 1:
        raise StaleState(transfer.pk)
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def transfer_withdraw(*, transfer: CaseTransfer, actor: User) -> CaseTransfer:
    """The offering service takes back a pending offer."""
    if not access.may(actor, Action.CHANGE, transfer.case):
        raise ValidationError({NON_FIELD_ERRORS: "You may not withdraw this offer."})
    transfer = _decide(transfer, actor=actor, status=TransferStatus.WITHDRAWN)
    with acting_as(actor):
        case_event_add(
            case=transfer.case,
            kind=CaseEventKind.OTHER,
            summary=f"Offer of transfer to {transfer.to_yjs.name} withdrawn by {actor.get_full_name()}",
            actor=actor,
            visibility=Visibility.FULL,
        )
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: CaseTransfer, actor: User, reason: str) -> CaseTransfer:
    """The receiving service declines the offer, saying why (the offering service reads it)."""
    if not access.may_decide_transfer(actor, transfer):
        raise ValidationError({NON_FIELD_ERRORS: "You may not decide this offer."})
    if not reason.strip():
        raise ValidationError({"decline_reason": "Enter why your service cannot take the case"})
    transfer = _decide(transfer, actor=actor, status=TransferStatus.DECLINED, decline_reason=reason.strip())
    with acting_as(actor):
        case_event_add(
            case=transfer.case,
            kind=CaseEventKind.OTHER,
            summary=f"{transfer.to_yjs.name} declined the transfer ({actor.get_full_name()})",
            actor=actor,
            visibility=Visibility.FULL,
        )
    hand_off(
        kind=TRANSFER_DECIDED,
        subject_type="case_transfer",
        subject_id=transfer.pk,
        case_id=transfer.case_id,
        recipients=[transfer.offered_by],
        actor=actor,
    )
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: CaseTransfer, actor: User, new_holder: User | None) -> CaseTransfer:
    """The receiving service takes the case: its owning service, holder, holding history and chronology change
    together, or not at all."""
    if not access.may_decide_transfer(actor, transfer):
        raise ValidationError({NON_FIELD_ERRORS: "You may not decide this offer."})
    if new_holder is None or not _is_case_manager_of(new_holder, transfer.to_yjs):
        raise ValidationError({"new_holder": f"Choose a case manager of {transfer.to_yjs.name} to hold the case"})
    ensure_open(transfer.case_id)  # locks the case's row until the move commits
    case = Case.objects.select_for_update().select_related("owning_yjs", "case_holder").get(pk=transfer.case_id)
    if case.owning_yjs_id != transfer.from_yjs_id:
        raise StaleState(transfer.pk)
    transfer = _decide(transfer, actor=actor, status=TransferStatus.ACCEPTED, new_holder=new_holder)
    now = transfer.decided_at or timezone.now()
    previous_service, previous_holder = case.owning_yjs, case.case_holder
    with acting_as(actor):
        # Saved one by one (not update()): the reports' cache hears of both services (reporting/invalidation.py).
        for spell in CaseHolding.objects.select_for_update().filter(case=case, ended_at__isnull=True):
            spell.ended_at = now
            spell.save(update_fields=["ended_at"])
        CaseHolding.objects.create(case=case, agency=transfer.to_yjs, started_at=now, transfer=transfer)
        CaseHolderChange.objects.create(
            case=case,
            previous_holder=previous_holder,
            new_holder=new_holder,
            reason=f"Transferred from {previous_service.name} to {transfer.to_yjs.name}: {transfer.reason}",
            changed_by=actor,
        )
        case.owning_yjs = transfer.to_yjs
        case.case_holder = new_holder
        case.save(update_fields=["owning_yjs", "case_holder"])
        case_event_add(
            case=case,
            kind=CaseEventKind.STATUS,
            summary=(
                f"Case moved from {previous_service.name} to {transfer.to_yjs.name}; "
                f"{new_holder.get_full_name()} now holds it"
            ),
            actor=actor,
            visibility=Visibility.SUMMARY,
            occurred_at=now,
            significant=True,
        )
    hand_off(
        kind=TRANSFER_DECIDED,
        subject_type="case_transfer",
        subject_id=transfer.pk,
        case_id=case.pk,
        recipients=[transfer.offered_by, new_holder],
        actor=actor,
    )
    return transfer


def holdings_backfill() -> int:
    """Give every case without a spell its first one (its owning service, from its opening): for bulk loads that
    skip triggers (devtools/scale), which the first-holding trigger of cases/migrations/0008_transfers.py cannot
    reach. One statement; how many spells it added."""
    holding, case = CaseHolding._meta.db_table, Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {holding} (case_id, agency_id, started_at, ended_at)"  # noqa: S608 - model table names
            f" SELECT c.id, c.owning_yjs_id, NULL, NULL FROM {case} c"
            f" WHERE NOT EXISTS (SELECT 1 FROM {holding} h WHERE h.case_id = c.id)"
        )
        return cursor.rowcount
