"""The people around a case: its network (and the picker that adds to it), the case team, its holders."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import Agency, AgencyKind, Membership, Role, User
from cases.models import (
    Case,
    CaseHolderChange,
    NetworkMember,
)
from cases.services import NETWORK_ROLES


def network_of(*, case: Case) -> QuerySet[NetworkMember]:
    """The professionals in the child's network now (people who left are in the chronology and history)."""
    return (
        NetworkMember.objects.filter(case=case, removed_at__isnull=True)
        .select_related("user", "agency")
        .order_by("name", "pk")
    )


def network_member_of(*, case: Case, member_id: int) -> QuerySet[NetworkMember]:
    """One current network member of this case (empty when the id belongs to another case)."""
    return network_of(case=case).filter(pk=member_id)


@dataclass(frozen=True)
class CasePerson:
    """Someone working with the child: a member of the child's network, or of the case team.

    What a form offers when someone must be chosen to own a recommendation or an action.
    """

    key: str  # "member:<id>" or "user:<id>"
    label: str  # the name with their role and agency, as a choice shows it
    name: str
    user: User | None = None
    agency: Agency | None = None
    agency_name: str = ""  # the agency's name when it is not on ECM


CASE_TEAM_ROLES = (
    ("case_holder_id", "Case holder"),
    ("psychologist_id", "Psychologist"),
    ("senior_practitioner_id", "Senior practitioner"),
)


def case_people(case: Case) -> list[CasePerson]:
    """The network's current members, then the case holder and the case's clinicians not already
    listed (each person once; an inactive ECM user of the team is left out): three queries."""
    people: list[CasePerson] = []
    listed: set[int] = set()
    for member in network_of(case=case):
        person = member.user if member.user_id else None
        name = person.get_full_name() if person else member.name
        details = ", ".join(part for part in (member.role, member.agency_display) if part)
        if person is not None:
            listed.add(person.pk)
        people.append(
            CasePerson(
                key=f"member:{member.pk}",
                label=f"{name} ({details})" if details else name,
                name=name,
                user=person,
                agency=member.agency,
                agency_name="" if member.agency_id else member.agency_name,
            )
        )
    team = [(getattr(case, field), role) for field, role in CASE_TEAM_ROLES]
    current = Membership.objects.filter(is_active=True, agency__is_active=True).select_related("agency")
    found = {
        person.pk: person
        for person in User.objects.filter(
            pk__in=[pk for pk, _ in team if pk and pk not in listed], is_active=True
        ).prefetch_related(
            Prefetch("memberships", queryset=current.order_by("created_at", "pk"), to_attr="current_memberships")
        )
    }
    for pk, role in team:
        person = found.get(pk) if pk else None
        if person is None or person.pk in listed:
            continue
        listed.add(person.pk)
        memberships = getattr(person, "current_memberships", [])
        agency = memberships[0].agency if memberships else None
        details = ", ".join(part for part in (role, agency.name if agency else "") if part)
        people.append(
            CasePerson(
                key=f"user:{person.pk}",
                label=f"{person.get_full_name()} ({details})",
                name=person.get_full_name(),
                user=person,
                agency=agency,
            )
        )
    return people


def holder_history(*, case: Case) -> QuerySet[CaseHolderChange]:
    """Every case holder the case has had, newest first (continuity)."""
    return (
        CaseHolderChange.objects.filter(case=case)
        .select_related("previous_holder", "new_holder", "changed_by")
        .order_by("-changed_at", "-pk")
    )


def case_managers_of(*, yjs: Agency) -> QuerySet[User]:
    """Active case managers of a youth justice service: the people who may hold its cases."""
    return User.objects.filter(
        is_active=True,
        memberships__agency=yjs,
        memberships__role=Role.CASE_MANAGER,
        memberships__is_active=True,
    ).order_by("first_name", "last_name", "pk")


# The network picker: a search, never a list of every member of staff of every agency.
NETWORK_SEARCH_LIMIT = 20


def agencies_working_with(*, case: Case) -> QuerySet[Agency]:
    """The agencies already working with the child: those in the case's network, the owning service, the ECM team."""
    in_network = NetworkMember.objects.filter(case=case, removed_at__isnull=True, agency__isnull=False)
    return Agency.objects.filter(
        Q(pk__in=in_network.values("agency_id")) | Q(pk=case.owning_yjs_id) | Q(kind=AgencyKind.ECM_TEAM)
    )


def network_candidates(*, case: Case) -> QuerySet[User]:
    """Active people who could join the case's network (a role that may, not already in it), each with the
    agency and role to show (`agency_label`, `role_label`, `agency_ref`, `agency_kind`), that of an agency
    working with the child when they have one (`works_with_child`). Narrow it before listing: it is everyone."""
    near = agencies_working_with(case=case).values("pk")
    memberships = (
        Membership.objects.filter(user=OuterRef("pk"), is_active=True, agency__is_active=True, role__in=NETWORK_ROLES)
        .annotate(far=DbCase(When(agency_id__in=near, then=Value(0)), default=Value(1)))
        .order_by("far", "created_at", "pk")
    )
    already_in = NetworkMember.objects.filter(case=case, removed_at__isnull=True, user__isnull=False).values("user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(memberships))
        .exclude(pk__in=already_in)
        .annotate(
            agency_label=Subquery(memberships.values("agency__name")[:1], output_field=CharField()),
            agency_kind=Subquery(memberships.values("agency__kind")[:1], output_field=CharField()),
            role_label=Subquery(memberships.values("role")[:1], output_field=CharField()),
            agency_ref=Subquery(memberships.values("agency_id")[:1]),
            works_with_child=Exists(memberships.filter(agency_id__in=near)),
        )
    )


def network_search(*, case: Case, text: str, limit: int = NETWORK_SEARCH_LIMIT) -> list[User]:
    """Up to `limit` people who could join the network whose name or e-mail matches every word typed,
    people of the agencies already working with the child first, then by name (one query)."""
    people = network_candidates(case=case)
    for word in text.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    found = list(people.order_by("-works_with_child", "first_name", "last_name", "pk")[:limit])
    for person in found:
        person.role_name = Role(person.role_label).label  # type: ignore[attr-defined]
    return found


def network_candidate(*, case: Case, person_id: int) -> QuerySet[User]:
    """One person who could join the case's network (empty if they cannot, or are already in it)."""
    return network_candidates(case=case).filter(pk=person_id)


def other_service_of(*, case: Case, person: User) -> Agency | None:
    """The youth justice service a person works for when it is not the one that owns the case (None otherwise)."""
    memberships = Membership.objects.filter(
        user=person, is_active=True, agency__is_active=True, agency__kind=AgencyKind.YOUTH_JUSTICE
    ).select_related("agency")
    if memberships.filter(agency_id=case.owning_yjs_id).exists():
        return None
    first = memberships.order_by("created_at", "pk").first()
    return first.agency if first is not None else None


def network_agencies() -> QuerySet[Agency]:
    """Agencies a network member can belong to (every active agency except commissioners)."""
    return Agency.objects.filter(is_active=True).exclude(kind="commissioner").order_by("name")
