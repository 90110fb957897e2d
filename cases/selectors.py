"""Reads of cases that need logic. Every list starts from the access module's scoped querysets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import Agency, AgencyKind, Membership, Role, User
from cases import access
from cases.access import Action, visible_cases
from cases.models import (
    Case,
    CaseEvent,
    CaseHolderChange,
    CaseStatus,
    Consultation,
    Contact,
    NetworkMember,
    Rectification,
    Visibility,
)
from cases.sections import count_of, facts_of
from cases.services import NETWORK_ROLES
from core.dates import age_on

LATEST_EVENTS = 5


# What a row of a case list shows (the table on the list pages and home, the API's case summary).
CASE_LIST_COLUMNS = (
    "id",
    "kind",
    "status",
    "opened_at",
    "child__given_name",
    "child__family_name",
    "owning_yjs__name",
    "case_holder__first_name",
    "case_holder__last_name",
)


def case_list(
    *,
    user: Any,
    status: str = CaseStatus.OPEN,
    held_by_me: bool = False,
    allocated_to_me: bool = False,
    kind: str = "",
) -> QuerySet[Case]:
    """The person's visible cases for list pages, newest first, with what the rows show (and only that:
    `cases/includes/case_table.html` and the API's case summary)."""
    cases = visible_cases(user).select_related("child", "owning_yjs", "case_holder").only(*CASE_LIST_COLUMNS)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if held_by_me:
        cases = cases.filter(case_holder=user)
    if allocated_to_me:
        cases = cases.filter(Q(psychologist=user) | Q(senior_practitioner=user))
    return cases.order_by("-opened_at", "-pk")


def case_search(*, user: Any, text: str = "", date_of_birth: dt.date | None = None) -> QuerySet[Case]:
    """Cases whose child matches a name, a date of birth or a reference, among the person's visible cases.

    One query. Names match on every case the person may see; a date of birth or a reference
    matches only where the person may read the full record, so a partner who sees a shared
    summary cannot confirm identifiers the summary leaves out. Each row carries `full_record`.
    """
    full_record = access.cases_for(user, Action.VIEW)
    if date_of_birth is not None:
        condition = Q(child__date_of_birth=date_of_birth) & Q(pk__in=full_record.values("pk"))
    else:
        words = text.split()
        if not words:
            return Case.objects.none()
        by_name = Q()
        for word in words:
            by_name &= Q(child__given_name__icontains=word) | Q(child__family_name__icontains=word)
        by_reference = Q(child__reference__iexact=text.strip()) & Q(pk__in=full_record.values("pk"))
        condition = by_name | by_reference
    return (
        visible_cases(user)
        .filter(condition)
        .annotate(full_record=Exists(full_record.filter(pk=OuterRef("pk"))))
        .select_related("child", "owning_yjs", "case_holder")
        .order_by("child__family_name", "child__given_name", "-opened_at", "-pk")
    )


def open_case_count() -> int:
    """How many ECM cases are open across every service (an aggregate: no child is identified)."""
    return Case.objects.filter(status=CaseStatus.OPEN).count()


def visibilities_for(*, user: Any, case: Case) -> list[str]:
    """The chronology visibilities the person may see on this case (no query once relations are known)."""
    return [visibility for visibility in Visibility.values if access.may(user, Action(visibility), case)]


def chronology(*, user: Any, case: Case, kinds: Iterable[str] = ()) -> QuerySet[CaseEvent]:
    """The case's timeline, newest first, limited in the query to the lines the person may see."""
    events = CaseEvent.objects.filter(case=case, visibility__in=visibilities_for(user=user, case=case))
    kinds = list(kinds)
    if kinds:
        events = events.filter(kind__in=kinds)
    return events.select_related("actor").order_by("-occurred_at", "-pk")


def link_events(*, case: Case, events: Iterable[CaseEvent]) -> list[CaseEvent]:
    """Give each line its `href`: a path as the service wrote it, or an anchor on the case page."""
    linked = list(events)
    for event in linked:
        if event.link.startswith("/"):
            event.href = event.link  # type: ignore[attr-defined]
        elif event.link.startswith("#"):
            event.href = case.get_absolute_url() + event.link  # type: ignore[attr-defined]
        else:
            event.href = ""  # type: ignore[attr-defined]
    return linked


def contacts_for(*, user: Any, case: Case) -> QuerySet[Contact]:
    """The case's contacts newest first, with corrections; restricted ones only for those who may read them."""
    contacts = Contact.objects.filter(case=case)
    if not access.may(user, Action.VIEW_RESTRICTED, case):
        contacts = contacts.filter(restricted=False)
    return (
        contacts.select_related("recorded_by")
        .prefetch_related("corrections__recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def rectifications_of(*, child: Any) -> QuerySet[Rectification]:
    """Every correction of the child's details, newest first, with who made it (one query)."""
    return Rectification.objects.filter(child=child).select_related("corrected_by").order_by("-corrected_at", "-pk")


def consultations_for(*, case: Case) -> QuerySet[Consultation]:
    """The case's consultations, newest first."""
    return Consultation.objects.filter(case=case).select_related("psychologist").order_by("-held_on", "-pk")


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


@dataclass(frozen=True)
class CaseOverview:
    """What the case page shows one person, read with a fixed number of queries."""

    full_record: bool
    psychologist: User | None
    senior_practitioner: User | None
    network: list[NetworkMember]
    latest_events: list[CaseEvent]
    holders: list[CaseHolderChange]
    has_restricted_notes: bool
    contact_count: int
    consultation_count: int
    child_age: int


def overview_facts(*, user: Any, case: Case) -> dict[str, Any]:
    """What the case page counts, as facts on the case's row (cases.sections): how many contacts (that the
    person may see) and consultations, and whether restricted notes exist. Nothing without the full record."""
    if not access.may(user, Action.VIEW, case):
        return {}
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if not access.may(user, Action.VIEW_RESTRICTED, case):
        contacts = contacts.filter(restricted=False)
    return {
        "contact_total": count_of(contacts),
        "consultation_total": count_of(Consultation.objects.filter(case=OuterRef("pk"))),
        "has_restricted": Exists(Contact.objects.filter(case=OuterRef("pk"), restricted=True)),
    }


def case_overview(*, user: Any, case: Case, facts: Mapping[str, Any] | None = None) -> CaseOverview:
    """Everything the case page needs for this person; the full-record parts only when they may read them.

    `facts`: the values of `overview_facts`, when the page has read them with its sections' (read here otherwise).
    """
    full_record = access.may(user, Action.VIEW, case)
    may_view_restricted = access.may(user, Action.VIEW_RESTRICTED, case)
    if facts is None:
        facts = facts_of(case, overview_facts(user=user, case=case))
    return CaseOverview(
        full_record=full_record,
        # The case came through the access module with its clinicians.
        psychologist=case.psychologist if case.psychologist_id else None,
        senior_practitioner=case.senior_practitioner if case.senior_practitioner_id else None,
        network=list(network_of(case=case)),
        latest_events=link_events(case=case, events=chronology(user=user, case=case)[:LATEST_EVENTS]),
        holders=list(holder_history(case=case)) if full_record else [],
        has_restricted_notes=may_view_restricted and bool(facts.get("has_restricted")),
        contact_count=facts.get("contact_total") or 0,
        consultation_count=facts.get("consultation_total") or 0,
        child_age=age_on(case.child.date_of_birth, timezone.localdate()),
    )
