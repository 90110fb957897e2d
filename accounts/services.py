"""Writes for people, agencies, memberships and coverage."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.history import acting_as
from accounts.invitations import invitation_email
from accounts.leavers import run_leaver_steps
from accounts.models import Agency, Coverage, Membership, Role, User
from accounts.roles import role_group
from accounts.selectors import (
    manageable_agencies,
    manageable_people,
    may_manage_service,
    only_service_administrators_manage,
)
from accounts.sessions import sessions_end_for


@transaction.atomic
def agency_create(*, name: str, kind: str, actor: Any = None) -> Agency:
    """Create an agency with its own group, which object grants to the agency point at."""
    _require_service_administrator(actor)
    with acting_as(actor):
        agency = Agency(name=name.strip(), kind=kind)
        agency.full_clean(exclude=["group"])
        _require_free_group_name(agency.name)
        agency.group = Group.objects.create(name=f"agency:{agency.name}")
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
    """Give a person a role in an agency: joins the role's group and the agency's group.

    The same role in the same agency ended earlier is restored rather than repeated (one membership
    per person, agency and role, as the model's constraint says).
    """
    _require_may_administer(actor=actor, agency=agency, role=role)
    with acting_as(actor):
        membership = Membership.objects.filter(user=user, agency=agency, role=role).first()
        if membership is not None and membership.is_active:
            raise ValidationError({"role": f"{user} is already a {membership.get_role_display().lower()} in {agency}."})
        if membership is None:
            membership = Membership(user=user, agency=agency, role=role)
            membership.full_clean()
            membership.save()
        else:
            membership.full_clean()
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        user.groups.add(role_group(role), agency.group)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor: Any = None) -> None:
    """End a membership; the person leaves the role and agency groups unless another membership keeps them.

    Ending a person's last active membership makes them a leaver (`user_deactivate`).
    """
    _require_may_administer(actor=actor, agency=membership.agency)
    _require_not_protected_from(actor=actor, person=membership.user)
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
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot deactivate yourself. Ask another administrator to do it.")
    _require_may_administer_person(actor=actor, person=user)
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
    _require_may_administer_person(actor=actor, person=user)
    with acting_as(actor):
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.memberships.filter(is_active=True, agency__is_active=True).exists():
            raise ValidationError("Give the person an active membership before reactivating them.")
        user.is_active = True
        user.save(update_fields=["is_active"])


@transaction.atomic
def coverage_add(*, clinician: User, yjs: Agency, actor: Any = None) -> Coverage:
    """Record that an ECM clinician covers a youth justice service."""
    _require_service_administrator(actor)
    if Coverage.objects.filter(clinician=clinician, yjs=yjs).exists():
        raise ValidationError({"clinician": f"{clinician} already covers {yjs}."})
    with acting_as(actor):
        coverage = Coverage(clinician=clinician, yjs=yjs)
        coverage.full_clean()
        coverage.save()
    return coverage


# Who may change what. The views ask the access module (cases.access) first; these checks keep the
# same rules for every other caller. No actor means the system itself (demo seeding, a shell).


def _is_service_administrator(actor: Any) -> bool:
    return actor is None or may_manage_service(actor)


def _require_service_administrator(actor: Any) -> None:
    if not _is_service_administrator(actor):
        raise ValidationError("Only a service administrator can change agencies, coverage and commissioning.")


# The guards below state no rule of their own: they ask accounts.selectors, as the access module does.
# `actor=None` (seeding, the command line) is trusted.


def _require_may_administer(*, actor: Any, agency: Agency, role: str = "") -> None:
    """A service administrator manages every agency; an agency administrator their own, never granting
    the service administrator role."""
    if _is_service_administrator(actor):
        return
    if role == Role.ADMINISTRATOR:
        raise ValidationError({"role": "Only a service administrator can make someone a service administrator."})
    if not manageable_agencies(actor).filter(pk=agency.pk).exists():
        raise ValidationError({"agency": "You can only manage the people of the agency you administer."})


def _require_not_protected_from(*, actor: Any, person: User) -> None:
    if not _is_service_administrator(actor) and only_service_administrators_manage(person):
        raise ValidationError("Only a service administrator can change a service administrator.")


def _require_may_administer_person(*, actor: Any, person: User) -> None:
    if actor is None:
        return
    if not manageable_people(actor).filter(pk=person.pk).exists():
        raise ValidationError("You can only manage the people of the agency you administer.")
    _require_not_protected_from(actor=actor, person=person)


def _require_free_group_name(name: str, *, except_group_id: int | None = None) -> None:
    groups = Group.objects.filter(name=f"agency:{name}")
    agencies = Agency.objects.filter(name__iexact=name)
    if except_group_id is not None:
        groups, agencies = groups.exclude(pk=except_group_id), agencies.exclude(group_id=except_group_id)
    if agencies.exists() or groups.exists():
        raise ValidationError({"name": f"There is already an agency called {name}."})


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor: Any = None) -> Membership:
    """Change a person's role in an agency: the new role starts and the old membership ends, both in history."""
    if not membership.is_active:
        raise ValidationError("This membership has ended. Add a new one instead.")
    if role == membership.role:
        raise ValidationError(
            {"role": f"They are already a {membership.get_role_display().lower()}: choose another role."}
        )
    _require_not_protected_from(actor=actor, person=membership.user)
    new_membership = membership_add(user=membership.user, agency=membership.agency, role=role, actor=actor)
    membership_end(membership=membership, actor=actor)
    return new_membership


def username_from_email(email: str) -> str:
    """A free username made from the e-mail address's local part (anna.smith, then anna.smith2, ...)."""
    base = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].lower())[:140] or "person"
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}{number}"
    return username


@transaction.atomic
def user_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    agency: Agency,
    role: str,
    job_title: str = "",
    actor: Any = None,
) -> User:
    """Create a person with no password and a role in an agency, and e-mail them a link to set their own."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this e-mail address already has an ECM account"})
    _require_may_administer(actor=actor, agency=agency, role=role)
    user = user_create(
        username=username_from_email(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        job_title=job_title.strip(),
        actor=actor,
    )
    membership_add(user=user, agency=agency, role=role, actor=actor)
    invitation_send(user=user, actor=actor)
    return user


@transaction.atomic
def invitation_send(*, user: User, actor: Any = None) -> None:
    """E-mail the person a one-time link to set their password. Sending again makes earlier links stop working."""
    _require_may_administer_person(actor=actor, person=user)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        raise ValidationError("Reactivate them before sending an invitation.")
    if locked.has_usable_password():
        raise ValidationError(
            f"{user} has already set a password. If they have forgotten it, they can reset it from the sign-in page."
        )
    with acting_as(actor):
        # A new unusable password changes the token's hash, so only the newest link works.
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
    user.password = locked.password  # the caller's copy makes the same tokens as the database's
    inviter = str(actor) if actor is not None else "The ECM service administrator"
    transaction.on_commit(lambda: invitation_email(user_id=user.pk, inviter=inviter))


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> None:
    """The invited person sets their own password (the link's token is checked by the caller)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active or user.has_usable_password():
        raise ValidationError("This invitation link has already been used or has been withdrawn.")
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def agency_rename(*, agency: Agency, name: str, actor: Any = None) -> Agency:
    """Rename an agency (and its group). Its history keeps the old name."""
    _require_service_administrator(actor)
    name = name.strip()
    if name == agency.name:
        return agency
    _require_free_group_name(name, except_group_id=agency.group_id)
    with acting_as(actor):
        agency.name = name
        agency.full_clean()
        agency.save(update_fields=["name"])
        Group.objects.filter(pk=agency.group_id).update(name=f"agency:{name}")
    return agency


@transaction.atomic
def agency_deactivate(*, agency: Agency, actor: Any = None) -> None:
    """Close an agency: its memberships stop giving anyone a role until it is reactivated. Cases stay."""
    _require_service_administrator(actor)
    if actor is not None and Membership.objects.filter(user=actor, agency=agency, is_active=True).exists():
        raise ValidationError("You cannot deactivate your own agency: you would lose your role in it.")
    with acting_as(actor):
        Agency.objects.filter(pk=agency.pk).update(is_active=False)
    agency.refresh_from_db(fields=["is_active"])


@transaction.atomic
def agency_reactivate(*, agency: Agency, actor: Any = None) -> None:
    """Open an agency again: the memberships that were active in it give their roles back."""
    _require_service_administrator(actor)
    with acting_as(actor):
        Agency.objects.filter(pk=agency.pk).update(is_active=True)
    agency.refresh_from_db(fields=["is_active"])


@transaction.atomic
def agency_set_partner_mfa(*, agency: Agency, required: bool, actor: Any = None) -> None:
    """Whether the agency's partner professionals must sign in with a second factor (staff always must)."""
    _require_service_administrator(actor)
    with acting_as(actor):
        agency.partner_mfa_required = required
        agency.save(update_fields=["partner_mfa_required"])


@transaction.atomic
def coverage_remove(*, coverage: Coverage, actor: Any = None) -> None:
    """Stop a clinician covering a youth justice service: they no longer see its cases. History keeps it."""
    _require_service_administrator(actor)
    with acting_as(actor):
        coverage.delete()
