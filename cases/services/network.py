"""Writes for the child's network: who is in it, who sees the shared summary, and a leaver's places."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.history import acting_as
from accounts.models import Agency, User
from cases.models import (
    Case,
    CaseEventKind,
    CaseUserObjectPermission,
    NetworkMember,
    Visibility,
)
from cases.services.records import SUMMARY_PERMISSION, case_event_add, ensure_open, may_join_networks


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
    ensure_open(case)
    if may_see_summary and user is None:
        raise ValidationError(
            {"may_see_summary": "Only someone with an ECM account can see the shared summary: choose their account"}
        )
    if user is not None and not may_join_networks(user):
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
    ensure_open(member.case)
    if member.may_see_summary == may_see_summary:
        return member
    if may_see_summary and member.user is None:
        raise ValidationError({"may_see_summary": "Only someone with an ECM account can see the shared summary"})
    if may_see_summary and member.user is not None and not may_join_networks(member.user):
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
    ensure_open(member.case)
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
