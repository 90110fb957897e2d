"""The access module's answers about people rather than cases: who can see a case and why, and whose
open work a viewer may hand on (a leaver's or mover's).

Part of the one access module (`cases.access`, which re-exports these). Each condition here mirrors
the case-side condition of the same relation in `cases.access.core`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from accounts.models import CLINICIAN_ROLES, Agency, AgencyKind, Coverage, Membership, Role, User
from accounts.roles import ROLE_PERMISSIONS
from cases.access.consent import sharing_stands
from cases.access.core import RULES, Action, Relation, has_role
from cases.access.former import former_people
from cases.access.people import may_manage_people, may_manage_person
from cases.access.standing import SUMMARY_PERMISSION
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

# "Who can see this case": the relations above, asked the other way round (which people stand in
# them to this one case). Each condition mirrors the case-side condition of the same relation, line
# for line; tests/cases/test_who_can_see.py checks the two agree for every member of the cast.


def _owner_people(case: Case) -> Q:
    return Q(
        Exists(
            Membership.objects.filter(
                user=OuterRef("pk"),
                role=Role.CASE_MANAGER,
                is_active=True,
                agency__is_active=True,
                agency_id=case.owning_yjs_id,
            )
        )
    )


def _holder_people(case: Case) -> Q:
    return Q(pk=case.case_holder_id) & _owner_people(case)


def _covering_people(case: Case) -> Q:
    is_clinician = Membership.objects.filter(user=OuterRef("pk"), role__in=CLINICIAN_ROLES, is_active=True)
    covers = Coverage.objects.filter(clinician=OuterRef("pk"), yjs_id=case.owning_yjs_id)
    return Q(Exists(covers)) & Q(Exists(is_clinician))


def _shared_personally_people(case: Case) -> Q:
    return Q(
        Exists(
            CaseUserObjectPermission.objects.filter(
                content_object=case,
                user=OuterRef("pk"),
                permission__codename=SUMMARY_PERMISSION,
                permission__content_type__app_label="cases",
            )
        )
    )


def _shared_through_group_people(case: Case) -> Q:
    return Q(
        Exists(
            CaseGroupObjectPermission.objects.filter(
                content_object=case,
                group__user=OuterRef("pk"),
                permission__codename=SUMMARY_PERMISSION,
                permission__content_type__app_label="cases",
            )
        )
    )


@dataclass(frozen=True)
class CaseViewer:
    """One person who can see a case, how they stand to it, and why, in words."""

    person: User
    relations: frozenset[Relation]
    reasons: tuple[str, ...]
    full_record: bool


def who_can_see(case: Case) -> list[CaseViewer]:
    """Every signed-in-able person who can see the case, with the reasons, the holder first.

    Inactive people (leavers) are left out, as the access module refuses them everything. Four
    queries whatever the number of people.
    """
    flags = {
        "is_holder": _holder_people(case),
        "is_owner": _owner_people(case),
        "is_covering": _covering_people(case),
        "shared_personally": _shared_personally_people(case),
        "shared_through_group": _shared_through_group_people(case),
    }
    # Consent to share withdrawn: the shares stand but give nothing (cases/access/consent.py).
    for shared in ("shared_personally", "shared_through_group"):
        flags[shared] &= sharing_stands(case)
    flags["is_former"] = former_people(case)  # a service the case moved away from, for a while (former.py)
    any_relation = Q(pk__in=[])
    for condition in flags.values():
        any_relation |= condition
    people = list(
        User.objects.filter(is_active=True)
        .filter(any_relation)
        .annotate(
            **{name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in flags.items()}
        )
        .order_by("first_name", "last_name", "pk")
    )
    if not people:
        return []
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.filter(user__in=people, is_active=True, agency__is_active=True).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, set()).add(role)
    shared_agencies = _agencies_shared_with(case, [person.pk for person in people if person.shared_through_group])  # type: ignore[attr-defined]
    viewers = [
        _viewer(case, person, roles.get(person.pk, set()), shared_agencies.get(person.pk, [])) for person in people
    ]
    return sorted(viewers, key=lambda viewer: (Relation.HOLDER not in viewer.relations, not viewer.full_record))


def _agencies_shared_with(case: Case, user_ids: list[int]) -> dict[int, list[str]]:
    """For each person, the names of their agencies the case's summary is shared with (one query)."""
    if not user_ids:
        return {}
    granted = CaseGroupObjectPermission.objects.filter(
        content_object=case,
        permission__codename=SUMMARY_PERMISSION,
        permission__content_type__app_label="cases",
    ).values("group_id")
    names: dict[int, list[str]] = {}
    for user_id, name in (
        User.groups.through.objects.filter(user_id__in=user_ids, group_id__in=granted)
        .order_by("group__name")
        .values_list("user_id", "group__agency__name")
    ):
        names.setdefault(user_id, []).append(name or "a group they belong to")
    return names


def _viewer(case: Case, person: Any, roles: set[str], agencies: list[str]) -> CaseViewer:
    relations: set[Relation] = set()
    reasons: list[str] = []
    service = case.owning_yjs.name
    if person.is_holder:
        relations.add(Relation.HOLDER)
        reasons.append("Holds the case")
    if person.is_owner:
        relations.add(Relation.OWNER)
        reasons.append(f"Case manager of {service}, the service that owns the case")
    if person.is_covering:
        relations.add(Relation.COVERING)
        clinician = ", ".join(sorted(Role(role).label.lower() for role in roles & CLINICIAN_ROLES)) or "clinician"
        reasons.append(f"Covers {service} ({clinician})")
    if person.shared_personally:
        relations.add(Relation.SHARED)
        reasons.append("The shared summary is shared with them personally")
    if person.shared_through_group:
        relations.add(Relation.SHARED)
        reasons.append(f"The shared summary is shared with {', '.join(agencies)}, where they work")
    if person.is_former and not person.is_owner:
        relations.add(Relation.FORMER)
        reasons.append("Case manager of a service the case moved away from: reads what it recorded, for a while")
    full = RULES[Action.VIEW]
    # The role layer as the role groups hold it (accounts.roles keeps the groups in step with this table).
    full_record = bool(relations & full.relations) and any(
        full.role_permission in ROLE_PERMISSIONS.get(role, []) for role in roles
    )
    return CaseViewer(person=person, relations=frozenset(relations), reasons=tuple(reasons), full_record=full_record)


# A leaver's (or mover's) work: who may see and hand on the open cases a person holds and the actions
# they own (cases/leaver_work.py). No case content is involved: case numbers, initials, services, dates.


def work_services_for(user: Any, person: User) -> QuerySet[Agency]:
    """The youth justice services whose cases' work held by `person` the user may reassign, as one query.

    The person's administrators (may_manage_person): every service. A senior practitioner: the
    services they cover, when the person works or worked with one of them (a membership, a place in a
    network, a case held or an action owned there). Anyone else: none.
    """
    services = Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE)
    if may_manage_person(user, person):
        return services
    if not has_role(user, Role.SENIOR_PRACTITIONER):
        return services.none()
    covered = services.filter(pk__in=Coverage.objects.filter(clinician=user).values("yjs_id"))
    cases_there = Case.objects.filter(owning_yjs__in=covered)
    works_there = (
        Q(pk__in=Membership.objects.filter(agency__in=covered).values("user_id"))
        | Q(pk__in=cases_there.filter(network__user__isnull=False).values("network__user"))
        | Q(pk__in=cases_there.values("case_holder_id"))
        # Actions (formulation.Recommendation) reached by field name: `cases` never imports the apps above it.
        | Q(pk__in=cases_there.filter(recommendations__owner__isnull=False).values("recommendations__owner"))
    )
    if not User.objects.filter(pk=person.pk).filter(works_there).exists():
        return services.none()
    return covered


def may_reassign_work(user: Any) -> bool:
    """The role layer of the work page: administrators and senior practitioners (the scope is per person)."""
    return may_manage_people(user) or has_role(user, Role.SENIOR_PRACTITIONER)
