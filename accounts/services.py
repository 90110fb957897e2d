"""Writes for people, agencies, memberships and coverage."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.history import acting_as
from accounts.models import Agency, Coverage, Membership, User
from accounts.roles import role_group


@transaction.atomic
def agency_create(*, name: str, kind: str, actor: Any = None) -> Agency:
    """Create an agency with its own group, which object grants to the agency point at."""
    with acting_as(actor):
        group = Group.objects.create(name=f"agency:{name}")
        agency = Agency(name=name, kind=kind, group=group)
        agency.full_clean()
        agency.save()
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    job_title: str = "",
    is_demo: bool = False,
    actor: Any = None,
) -> User:
    """Create a person who can sign in (once given a membership)."""
    with acting_as(actor):
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            job_title=job_title,
            is_demo=is_demo,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
    return user


@transaction.atomic
def membership_add(*, user: User, agency: Agency, role: str, actor: Any = None) -> Membership:
    """Give a person a role in an agency: joins the role's group and the agency's group."""
    with acting_as(actor):
        membership = Membership(user=user, agency=agency, role=role)
        membership.full_clean()
        membership.save()
        user.groups.add(role_group(role), agency.group)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: Any = None) -> None:
    """End a membership; the person leaves the role and agency groups unless another membership keeps them."""
    with acting_as(actor):
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        others = Membership.objects.filter(user=membership.user, is_active=True).exclude(pk=membership.pk)
        if not others.filter(role=membership.role).exists():
            membership.user.groups.remove(role_group(membership.role))
        if not others.filter(agency=membership.agency).exists():
            membership.user.groups.remove(membership.agency.group)
        Coverage.objects.filter(clinician=membership.user).exclude(clinician__memberships__is_active=True).delete()


@transaction.atomic
def coverage_add(*, clinician: User, yjs: Agency, actor: Any = None) -> Coverage:
    """Record that an ECM clinician covers a youth justice service."""
    with acting_as(actor):
        coverage = Coverage(clinician=clinician, yjs=yjs)
        coverage.full_clean()
        coverage.save()
    return coverage
