"""Writes for children and cases. Every write runs in one transaction with its chronology line;
change history is kept by the database triggers (accounts.history)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Membership, Role, User
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseHolderChange,
    CaseKind,
    CaseStatus,
    CaseUserObjectPermission,
    Child,
    ClosureReason,
    Consultation,
    Contact,
    ContactCorrection,
    NetworkMember,
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


def case_event_add(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor: Any,
    visibility: str = Visibility.FULL,
    link: str = "",
    occurred_at: dt.datetime | None = None,
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


def _may_join_networks(user: User) -> bool:
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
def case_share_summary(*, case: Case, actor: Any, user: User | None = None, agency: Agency | None = None) -> None:
    """Let one named professional, or a whole agency, see this case's shared summary."""
    if (user is None) == (agency is None):
        raise ValueError("Share with exactly one of a user or an agency.")
    with acting_as(actor):
        assign_perm(SUMMARY_PERMISSION, user if user is not None else agency.group, case)  # type: ignore[union-attr]


@transaction.atomic
def case_unshare_summary(*, case: Case, actor: Any, user: User | None = None, agency: Agency | None = None) -> None:
    """Take back a share made by case_share_summary."""
    if (user is None) == (agency is None):
        raise ValueError("Unshare with exactly one of a user or an agency.")
    with acting_as(actor):
        remove_perm(SUMMARY_PERMISSION, user if user is not None else agency.group, case)  # type: ignore[union-attr]


@transaction.atomic
def network_member_add(
    *,
    case: Case,
    actor: User,
    name: str,
    role: str,
    user: User | None = None,
    agency: Agency | None = None,
    agency_name: str = "",
    email: str = "",
    phone: str = "",
    may_see_summary: bool = False,
) -> NetworkMember:
    """Add a professional to the child's network; sharing grants that person the summary of this case only."""
    if may_see_summary and user is None:
        raise ValidationError(
            {"may_see_summary": "Only someone with an ECM account can see the shared summary: choose their account"}
        )
    if user is not None and not _may_join_networks(user):
        raise ValidationError({"user": "Choose a practitioner: commissioners and administrators cannot join a network"})
    if user is not None and case.network.filter(user=user, removed_at__isnull=True).exists():
        raise ValidationError({"user": "This person is already in the network"})
    with acting_as(actor):
        member = NetworkMember(
            case=case,
            user=user,
            name=name or (user.get_full_name() if user else ""),
            agency=agency,
            agency_name=agency_name,
            role=role,
            email=email or (user.email if user else ""),
            phone=phone,
            may_see_summary=may_see_summary,
            added_by=actor,
        )
        member.full_clean()
        member.save()
        if may_see_summary and user is not None:
            case_share_summary(case=case, actor=actor, user=user)
        case_event_add(
            case=case,
            kind=CaseEventKind.NETWORK,
            summary=f"{member.name} ({member.role}, {member.agency_display or 'no agency'}) joined the network"
            + (" and may see the shared summary" if may_see_summary else ""),
            actor=actor,
            visibility=Visibility.SUMMARY,
        )
    return member


@transaction.atomic
def network_member_set_sharing(*, member: NetworkMember, may_see_summary: bool, actor: User) -> NetworkMember:
    """Grant or revoke one network member's view of the shared summary."""
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if member.may_see_summary == may_see_summary:
        return member
    if may_see_summary and member.user is None:
        raise ValidationError({"may_see_summary": "Only someone with an ECM account can see the shared summary"})
    if may_see_summary and member.user is not None and not _may_join_networks(member.user):
        raise ValidationError({"may_see_summary": "This person's role does not allow them to see case summaries"})
    with acting_as(actor):
        member.may_see_summary = may_see_summary
        member.save(update_fields=["may_see_summary"])
        if member.user is not None:
            share = case_share_summary if may_see_summary else case_unshare_summary
            share(case=member.case, actor=actor, user=member.user)
        case_event_add(
            case=member.case,
            kind=CaseEventKind.NETWORK,
            summary=f"{member.name} {'may now see' if may_see_summary else 'no longer sees'} the shared summary",
            actor=actor,
            visibility=Visibility.SUMMARY,
        )
    return member


@transaction.atomic
def network_member_remove(*, member: NetworkMember, actor: User) -> None:
    """Take someone out of the network; their view of the summary goes with them."""
    member = NetworkMember.objects.select_for_update().get(pk=member.pk)
    if member.removed_at is not None:
        return
    with acting_as(actor):
        member.removed_at = timezone.now()
        member.save(update_fields=["removed_at"])
        if member.may_see_summary and member.user is not None:
            case_unshare_summary(case=member.case, actor=actor, user=member.user)
        case_event_add(
            case=member.case,
            kind=CaseEventKind.NETWORK,
            summary=f"{member.name} left the network",
            actor=actor,
            visibility=Visibility.SUMMARY,
        )


@transaction.atomic
def contact_log(
    *,
    case: Case,
    actor: User,
    occurred_at: dt.datetime,
    kind: str,
    with_whom: str,
    note: str,
    duration_minutes: int | None = None,
    restricted: bool = False,
) -> Contact:
    """Log one contact; a restricted note shows only to the case holder and the ECM clinicians."""
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "The date and time of a contact must not be in the future"})
    with acting_as(actor):
        contact = Contact(
            case=case,
            occurred_at=occurred_at,
            kind=kind,
            with_whom=with_whom,
            duration_minutes=duration_minutes,
            note=note,
            restricted=restricted,
            recorded_by=actor,
        )
        contact.full_clean()
        contact.save()
        case_event_add(
            case=case,
            kind=CaseEventKind.CONTACT,
            summary=f"{contact.get_kind_display()} with {with_whom}" + (" (restricted note)" if restricted else ""),
            actor=actor,
            visibility=Visibility.RESTRICTED if restricted else Visibility.FULL,
            occurred_at=occurred_at,
            link=reverse("cases:contact_detail", args=[case.pk, contact.pk]),
        )
    return contact


@transaction.atomic
def contact_correct(*, contact: Contact, actor: User, text: str) -> ContactCorrection:
    """Add a correction or addition to a contact; the original note stays as written."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the correction or addition"})
    with acting_as(actor):
        correction = ContactCorrection.objects.create(contact=contact, text=text, recorded_by=actor)
        case_event_add(
            case=contact.case,
            kind=CaseEventKind.CONTACT,
            summary=f"Correction added to the {contact.get_kind_display().lower()} contact of "
            f"{timezone.localtime(contact.occurred_at):%d %b %Y}",
            actor=actor,
            visibility=Visibility.RESTRICTED if contact.restricted else Visibility.FULL,
            link=reverse("cases:contact_detail", args=[contact.case_id, contact.pk]),
        )
    return correction


@transaction.atomic
def consultation_log(
    *,
    case: Case,
    actor: User,
    held_on: dt.date,
    attendees: str,
    question: str,
    advice: str,
    minutes_spent: int,
    follow_up: str = "",
) -> Consultation:
    """Record a psychologist's consultation on a case."""
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of a consultation must not be in the future"})
    with acting_as(actor):
        consultation = Consultation(
            case=case,
            held_on=held_on,
            attendees=attendees,
            question=question,
            advice=advice,
            follow_up=follow_up,
            minutes_spent=minutes_spent,
            psychologist=actor,
        )
        consultation.full_clean()
        consultation.save()
        case_event_add(
            case=case,
            kind=CaseEventKind.CONSULTATION,
            summary=f"Consultation with {attendees[:120]} ({minutes_spent} minutes)",
            actor=actor,
            occurred_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(12, 0))),
            link=reverse("cases:consultation_detail", args=[case.pk, consultation.pk]),
        )
    return consultation


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


# Leavers (registered in cases/apps.py as a step of accounts.services.user_deactivate).


@transaction.atomic
def leaver_case_access_end(*, leaver: User, actor: Any) -> str:
    """Take back every view of a case the leaver was given: their places in children's networks end
    (each with a chronology line, as a removal writes one), and every object permission granted to
    them personally is revoked. The cases themselves, and the history of every grant, stay."""
    places = list(NetworkMember.objects.filter(user=leaver, removed_at__isnull=True).select_related("case"))
    with acting_as(actor):
        for member in places:
            member.removed_at = timezone.now()
            member.save(update_fields=["removed_at"])
            case_event_add(
                case=member.case,
                kind=CaseEventKind.NETWORK,
                summary=f"{member.name} left the network: their ECM account was closed"
                + (" (they no longer see the shared summary)" if member.may_see_summary else ""),
                actor=actor,
                visibility=Visibility.SUMMARY,
            )
        # Shares made outside the network too: every direct grant to the person, whatever its permission.
        # Deleted one by one so the history triggers keep each grant's before values.
        grants = list(CaseUserObjectPermission.objects.filter(user=leaver))
        for grant in grants:
            grant.delete()
    return f"{len(places)} network places ended, {len(grants)} case shares revoked"
