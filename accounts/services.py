"""Writes for people, agencies, memberships and coverage."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.history import acting_as
from accounts.leavers import run_leaver_steps
from accounts.models import Agency, Coverage, Membership, User
from accounts.roles import role_group

logger = logging.getLogger(__name__)


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
    """End a membership; the person leaves the role and agency groups unless another membership keeps them.

    Ending a person's last active membership makes them a leaver (`user_deactivate`).
    """
    with acting_as(actor):
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        others = Membership.objects.filter(user=membership.user, is_active=True).exclude(pk=membership.pk)
        if not others.filter(role=membership.role).exists():
            membership.user.groups.remove(role_group(membership.role))
        if not others.filter(agency=membership.agency).exists():
            membership.user.groups.remove(membership.agency.group)
        Coverage.objects.filter(clinician=membership.user).exclude(clinician__memberships__is_active=True).delete()
        if not others.exists() and membership.user.is_active:
            user_deactivate(user=membership.user, actor=actor)


@transaction.atomic
def user_deactivate(*, user: User, actor: Any = None) -> list[str]:
    """Make a person a leaver: unable to sign in, every live session ended, and every step the apps
    registered in `accounts.leavers` run (shares revoked, future invitations withdrawn).

    Their cases, contacts and history stay as they are. Returns what each leaver step did.
    """
    with acting_as(actor):
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.save(update_fields=["is_active"])
        done = run_leaver_steps(leaver=user, actor=actor)
        sessions_end_for(user=user)
    return done


@transaction.atomic
def user_reactivate(*, user: User, actor: Any = None) -> None:
    """Let a person sign in again. Shares and invitations taken away when they left are not given back."""
    with acting_as(actor):
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.memberships.filter(is_active=True, agency__is_active=True).exists():
            raise ValidationError("Give the person an active membership before reactivating them.")
        user.is_active = True
        user.save(update_fields=["is_active"])


def sessions_end_for(*, user: User) -> int:
    """Delete every stored session of the person (and its cached copy), so no open browser stays signed in.

    Sessions are not indexed by person, so this reads them; it runs for leavers only. An inactive
    person is also refused by the authentication backend on their next request, whatever is stored.
    """
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
            try:
                caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + session.session_key)
            except Exception:  # noqa: BLE001 - Redis down must not stop a leaver being removed
                logger.warning("session cache unavailable while ending a leaver's session")
    return ended


@transaction.atomic
def coverage_add(*, clinician: User, yjs: Agency, actor: Any = None) -> Coverage:
    """Record that an ECM clinician covers a youth justice service."""
    with acting_as(actor):
        coverage = Coverage(clinician=clinician, yjs=yjs)
        coverage.full_clean()
        coverage.save()
    return coverage
