"""Reads about people and their roles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from pghistory.models import Events

from accounts import mfa
from accounts.facts import memberships_of
from accounts.models import AccessEvent, Agency, Membership, Role, User


def active_memberships(user: Any) -> list[Membership]:
    """The person's active memberships with their agencies, cached on the user for the request."""
    cached: list[Membership] | None = getattr(user, "_ecm_memberships", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            return []
        cached = memberships_of(user)
        user._ecm_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {membership.role for membership in active_memberships(user)}


def access_events(*, user_query: str = "", case_id: int | None = None, action: str = "") -> QuerySet[AccessEvent]:
    """The access log, newest first, filtered for the administrators' log page."""
    events = AccessEvent.objects.select_related("user").order_by("-at", "-id")
    if user_query:
        events = events.filter(Q(user__username__icontains=user_query) | Q(user__last_name__icontains=user_query))
    if case_id is not None:
        # The case's own events, and every list page that showed it (GIN index: case_ids @> ARRAY[id]).
        events = events.filter(Q(case_id=case_id) | Q(case_ids__contains=[case_id]))
    if action:
        events = events.filter(action=action)
    return events


def agencies_administered_by(user: Any) -> QuerySet[Agency]:
    """The active agencies where the person holds an active agency-administrator membership."""
    if not getattr(user, "is_authenticated", False):
        return Agency.objects.none()
    return Agency.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            user=user, role=Role.AGENCY_ADMINISTRATOR, is_active=True, agency__is_active=True
        ).values("agency_id"),
    )


def people_list(
    *,
    people: QuerySet[User],
    text: str = "",
    agency: Agency | None = None,
    role: str = "",
    status: str = "",
) -> QuerySet[User]:
    """The administrators' people list: the given (already scoped) people, filtered, with their active
    memberships and second-factor status, by name. Three queries whatever the page size."""
    if text:
        for word in text.split():
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
    if agency is not None or role:
        memberships = Membership.objects.filter(user=OuterRef("pk"), is_active=True)
        if agency is not None:
            memberships = memberships.filter(agency=agency)
        if role:
            memberships = memberships.filter(role=role)
        people = people.filter(Exists(memberships))
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    current = Membership.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "role")
    return mfa.with_mfa_status(people).prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships")
    )


@dataclass(frozen=True)
class PersonChange:
    """One line of a person's change history, in words, with who made the change."""

    at: datetime.datetime
    actor: str
    what: str


# Fields of a person whose changes the history names; the rest (permissions flags, dates) are left out.
_PERSON_FIELDS = ("first_name", "last_name", "email", "username", "job_title", "phone")


def person_history(person: User) -> list[PersonChange]:
    """Changes to the person, their memberships and their coverage, newest first (three queries).

    Read from the pghistory tables of the people models only: never a case's history.
    """
    events = list(
        Events.objects.across("accounts.UserHistory", "accounts.MembershipHistory", "accounts.CoverageHistory")
        .references(person)
        .order_by("-pgh_created_at", "-pgh_id")
    )
    actor_ids = {event.pgh_context.get("user") for event in events if event.pgh_context}
    actors = User.objects.in_bulk([pk for pk in actor_ids if pk])
    agency_ids = {event.pgh_data.get(key) for event in events for key in ("agency", "agency_id", "yjs", "yjs_id")}
    agencies = Agency.objects.in_bulk([pk for pk in agency_ids if pk])
    changes = []
    for event in events:
        actor_id = (event.pgh_context or {}).get("user")
        actor = actors.get(actor_id) if actor_id else None
        what = _describe(event, agencies)
        if what:
            changes.append(
                PersonChange(at=event.pgh_created_at, actor=str(actor) if actor else "The system", what=what)
            )
    return changes


def _describe(event: Any, agencies: dict[int, Agency]) -> str:
    data, diff, label = event.pgh_data, event.pgh_diff or {}, event.pgh_label
    if event.pgh_model == "accounts.UserHistory":
        if label == "insert":
            return "Account created"
        if label in mfa.MFA_EVENT_DESCRIPTIONS:
            return mfa.MFA_EVENT_DESCRIPTIONS[label]
        if "is_active" in diff:
            return "Deactivated: cannot sign in" if not diff["is_active"][1] else "Reactivated: can sign in again"
        fields = {field.name: field.verbose_name for field in User._meta.get_fields() if hasattr(field, "verbose_name")}
        changed = [
            f"{fields[name]} changed from “{diff[name][0]}” to “{diff[name][1]}”"
            for name in _PERSON_FIELDS
            if name in diff
        ]
        text = "; ".join(changed)
        return text[:1].upper() + text[1:]
    agency = agencies.get(data.get("agency_id") or data.get("agency") or data.get("yjs_id") or data.get("yjs"))
    if event.pgh_model == "accounts.MembershipHistory":
        role = Role(data["role"]).label.lower() if data.get("role") in Role.values else data.get("role", "")
        if label == "insert":
            return f"Became a {role} in {agency}"
        if "is_active" in diff:
            return f"Membership as a {role} in {agency} {'restored' if diff['is_active'][1] else 'ended'}"
        return ""
    if label == "insert":
        return f"Began covering {agency}"
    if label == "delete":
        return f"Stopped covering {agency}"
    return ""


# Who may manage whom (the administration area). One statement of the rule, below `cases`, so the
# services' own guards (accounts/services.py) and the access module (cases/access/people.py, which
# adds 404/403 and the access log) use the same functions.


def _holds(user: Any, permission: str) -> bool:
    signed_in = user is not None and getattr(user, "is_authenticated", False) and user.is_active
    return bool(signed_in and user.has_perm(permission))


def may_manage_people(user: Any) -> bool:
    """Service and agency administrators manage people (the agency administrator only their own agency's)."""
    return _holds(user, "accounts.manage_people")


def may_manage_service(user: Any) -> bool:
    """Service administrators manage agencies, coverage and commissioning across the service."""
    return _holds(user, "accounts.manage_service")


def manageable_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies an administrator may add people to: every active one for a service administrator,
    the agencies they administer for an agency administrator, none for anyone else."""
    if not may_manage_people(user):
        return Agency.objects.none()
    if may_manage_service(user):
        return Agency.objects.filter(is_active=True)
    return agencies_administered_by(user)


def manageable_people(user: Any) -> QuerySet[User]:
    """The people an administrator may see and change, as one SQL query.

    A service administrator: everyone. An agency administrator: everyone with a membership, active or
    ended, in an agency they administer (so a leaver stays in reach). Anyone else: nobody.
    """
    if not may_manage_people(user):
        return User.objects.none()
    if may_manage_service(user):
        return User.objects.all()
    members = Membership.objects.filter(agency__in=agencies_administered_by(user)).values("user_id")
    return User.objects.filter(pk__in=members)


def may_manage_person(user: Any, person: User) -> bool:
    """May the administrator change this person? An agency administrator never changes a service administrator."""
    if not manageable_people(user).filter(pk=person.pk).exists():
        return False
    if may_manage_service(user):
        return True
    return not only_service_administrators_manage(person)


def only_service_administrators_manage(person: User) -> bool:
    """Is the person a service administrator, whom an agency administrator never changes?"""
    return Membership.objects.filter(user=person, role=Role.ADMINISTRATOR, is_active=True).exists()
