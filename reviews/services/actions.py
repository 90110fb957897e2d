"""Writes on actions between reviews: progress notes, and handing an action to another owner."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import CaseEventKind
from cases.services import case_event_add, ensure_open
from core.handoffs import HandoffKind, hand_off
from formulation.models import ActionStatus, Recommendation, ReportStatus
from reviews.action_selectors import OPEN_ACTION_STATUSES, owner_label
from reviews.models import ActionProgress
from reviews.services.common import NOTE_LIMIT, TEXT_LIMIT, agency_of, refuse, too_long


@transaction.atomic
def action_progress_add(
    *, action: Recommendation, actor: User, status: str, note: str, today: dt.date | None = None
) -> ActionProgress:
    """A dated progress note on an action and the status it leaves the action in (owners and clinicians)."""
    locked = Recommendation.objects.select_for_update(of=("self",)).select_related("report").get(pk=action.pk)
    if locked.report_id is not None and locked.report and locked.report.status != ReportStatus.SIGNED_OFF:
        raise refuse("This recommendation is not an action yet: its report is not signed off")
    ensure_open(action.case)
    errors: dict[str, str] = {}
    if status not in ActionStatus.values:
        errors["status"] = "Choose the status of the action"
    if not note.strip():
        errors["note"] = "Enter what has happened since the last update"
    too_long(errors, "note", note.strip(), NOTE_LIMIT, "The progress note")
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        progress = ActionProgress(
            action=locked,
            review=None,
            author=actor,
            noted_on=today or timezone.localdate(),
            status=status,
            note=note.strip(),
        )
        progress.full_clean()
        progress.save()
        if locked.status != status:
            locked.status = status
            locked.save(update_fields=["status"])
        case_event_add(
            case=action.case,
            kind=CaseEventKind.ACTION,
            summary=f"Progress on an action owned by {owner_label(locked)}: "
            f"{ActionStatus(status).label.lower()}, noted by {actor.get_full_name()}",
            actor=actor,
            link=reverse("reviews:action_detail", args=[locked.pk]),
        )
    action.status = locked.status
    return progress


@transaction.atomic
def action_owner_change(*, action: Recommendation, new_owner: User, reason: str, actor: User) -> Recommendation:
    """Hand an open action to another ECM user who sees its case (a leaver's or mover's work); the
    action's history keeps the previous owner, who changed it and why, and the chronology says so."""
    ensure_open(action.case)
    locked = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("case", "report", "owner", "owner_agency")
        .get(pk=action.pk)
    )
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter the reason for the change"
    too_long(errors, "reason", reason, TEXT_LIMIT, "The reason")
    if locked.report_id is not None and locked.report and locked.report.status != ReportStatus.SIGNED_OFF:
        errors["owner"] = "This recommendation is not an action yet: its report is not signed off"
    elif locked.status not in OPEN_ACTION_STATUSES:
        errors["owner"] = "This action is finished: its owner no longer changes"
    elif new_owner.pk == locked.owner_id:
        errors["owner"] = f"{new_owner.get_full_name()} already owns this action: choose someone else"
    elif not new_owner.is_active or not access.may(new_owner, Action.VIEW_SUMMARY, locked.case):
        errors["owner"] = (
            f"{new_owner.get_full_name()} cannot see this case in ECM: share the case's summary with them, "
            "or choose someone else"
        )
    if errors:
        raise ValidationError(errors)
    previous = owner_label(locked)
    with acting_as(actor, reason=reason):
        locked.owner = new_owner
        locked.owner_name = ""
        locked.owner_agency = agency_of(new_owner, locked.case)
        locked.owner_agency_name = ""
        locked.save(update_fields=["owner", "owner_name", "owner_agency", "owner_agency_name"])
        case_event_add(
            case=locked.case,
            kind=CaseEventKind.ACTION,
            summary=f"Action handed from {previous} to {owner_label(locked)}: {reason}",
            actor=actor,
            link=reverse("reviews:action_detail", args=[locked.pk]),
        )
        hand_off(
            kind=HandoffKind.ACTION_ASSIGNED,
            subject_type="action",
            subject_id=locked.pk,
            case_id=locked.case_id,
            recipients=[new_owner],
            actor=actor,
        )
    return locked
