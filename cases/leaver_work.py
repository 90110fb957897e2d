"""A person's open work, and handing it on in bulk: the registry of "work kinds".

When someone leaves or moves, their administrator (or a senior practitioner covering the service)
hands on the open cases they hold and the open actions they own to a named colleague, with one
reason. `cases` lists the cases; the apps above it add their own kinds of work from their
`AppConfig.ready()` (reviews adds "actions owned"), so `cases` never imports them:

    register_work_kind(WorkKind(name="actions", order=20, title="Open actions they own", ...))

Every kind lists items without case content (case number, the child's initials, the service, dates:
an administrator never reads a case), says who could take an item on, checks a colleague against
each item, and reassigns through its own services, each of which keeps its history with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery

from accounts.models import Agency, Membership, Role, User
from cases.models import Case, CaseStatus


@dataclass(frozen=True)
class WorkItem:
    """One piece of work: its form value (`<kind>:<pk>`), its case, and the cells its row shows."""

    kind: str
    pk: int
    case_id: int
    label: str  # what its checkbox says: "Case 12, K. B., Bristol YJS, opened 3 March 2025"
    cells: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class WorkKind:
    name: str
    order: int  # smaller first
    title: str  # "Open cases they hold"
    columns: tuple[str, ...]
    # The person's open work of this kind on cases of the given services.
    items: Callable[[User, QuerySet[Agency]], list[WorkItem]]
    # Who could take these items on (each may still fail `problems` for some item).
    candidates: Callable[[Sequence[WorkItem]], QuerySet[User]]
    # Why the colleague cannot take some of these items: one sentence per item, empty when all is well.
    problems: Callable[[Sequence[WorkItem], User], list[str]]
    # Hand the items to the colleague through the kind's own services (keyword arguments:
    # items, to_person, actor, reason). Runs inside the caller's transaction.
    reassign: Callable[..., int]


_KINDS: dict[str, WorkKind] = {}


def register_work_kind(kind: WorkKind) -> None:
    """Add (or replace, on a reload) a kind of work a leaver's page lists."""
    _KINDS[kind.name] = kind


def work_kinds() -> list[WorkKind]:
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.name))


@dataclass(frozen=True)
class WorkList:
    kind: WorkKind
    items: list[WorkItem]


def work_of(*, person: User, services: QuerySet[Agency]) -> list[WorkList]:
    """The person's open work of every registered kind, on cases of the given services."""
    return [WorkList(kind=kind, items=kind.items(person, services)) for kind in work_kinds()]


def colleagues_for(*, person: User, items: Sequence[WorkItem]) -> QuerySet[User]:
    """The active people who could take on at least some of these items (never the person themself)."""
    by_kind = _by_kind(items)
    ids: set[int] = set()
    for kind in work_kinds():
        if by_kind.get(kind.name):
            ids.update(kind.candidates(by_kind[kind.name]).values_list("pk", flat=True))
    ids.discard(person.pk)
    # One agency and role to show for each, in the same query.
    memberships = Membership.objects.filter(user=OuterRef("pk"), is_active=True, agency__is_active=True).order_by(
        "created_at", "pk"
    )
    return (
        User.objects.filter(pk__in=ids, is_active=True)
        .annotate(
            agency_label=Subquery(memberships.values("agency__name")[:1], output_field=CharField()),
            role_label=Subquery(memberships.values("role")[:1], output_field=CharField()),
        )
        .order_by("first_name", "last_name", "pk")
    )


@transaction.atomic
def work_reassign(*, person: User, items: Sequence[WorkItem], to_person: User, actor: User, reason: str) -> int:
    """Hand every chosen item to one colleague with one reason, all or nothing. Returns how many moved.

    Every item is checked before anything is written; a service refusing later (someone changed the
    case meanwhile) undoes the lot.
    """
    reason = reason.strip()
    errors: list[str] = []
    if not items:
        errors.append("Choose at least one case or action to hand on")
    if not reason:
        errors.append("Enter the reason for handing the work on")
    if to_person.pk == person.pk:
        errors.append(f"Choose a colleague other than {person.get_full_name()}")
    by_kind = _by_kind(items)
    for kind in work_kinds():
        if by_kind.get(kind.name):
            errors.extend(kind.problems(by_kind[kind.name], to_person))
    if errors:
        raise ValidationError(errors)
    moved = 0
    for kind in work_kinds():
        if by_kind.get(kind.name):
            moved += kind.reassign(items=by_kind[kind.name], to_person=to_person, actor=actor, reason=reason)
    return moved


def _by_kind(items: Sequence[WorkItem]) -> dict[str, list[WorkItem]]:
    grouped: dict[str, list[WorkItem]] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    return grouped


def long_date(day: Any) -> str:
    return f"{day.day} {day:%B %Y}"


# The cases' own kind: open cases the person holds.


def _cases_held(person: User, services: QuerySet[Agency]) -> list[WorkItem]:
    cases = (
        Case.objects.filter(case_holder=person, status=CaseStatus.OPEN, owning_yjs__in=services)
        .select_related("child", "owning_yjs")
        .order_by("opened_at", "pk")
    )
    items = []
    for case in cases:
        opened = long_date(case.opened_at.date())
        items.append(
            WorkItem(
                kind="cases",
                pk=case.pk,
                case_id=case.pk,
                label=f"Case {case.pk}, {case.child.initials}, {case.owning_yjs.name}, opened {opened}",
                cells=(f"Case {case.pk}", case.child.initials, case.owning_yjs.name, opened),
            )
        )
    return items


def _case_managers_for(items: Sequence[WorkItem]) -> QuerySet[User]:
    services = Case.objects.filter(pk__in=[item.case_id for item in items]).values("owning_yjs_id")
    managers = Membership.objects.filter(
        agency_id__in=services, agency__is_active=True, role=Role.CASE_MANAGER, is_active=True
    ).values("user_id")
    return User.objects.filter(Q(pk__in=managers), is_active=True)


def _case_problems(items: Sequence[WorkItem], to_person: User) -> list[str]:
    cases = Case.objects.filter(pk__in=[item.case_id for item in items]).select_related("owning_yjs")
    managed = set(
        Membership.objects.filter(
            user=to_person, role=Role.CASE_MANAGER, is_active=True, agency__is_active=True
        ).values_list("agency_id", flat=True)
    )
    name = to_person.get_full_name()
    return [
        f"Case {case.pk}: {name} is not a case manager of {case.owning_yjs.name}, so cannot hold it"
        for case in cases
        if not to_person.is_active or case.owning_yjs_id not in managed
    ]


def _cases_reassign(*, items: Sequence[WorkItem], to_person: User, actor: User, reason: str) -> int:
    from cases.services import case_holder_change

    for case in Case.objects.filter(pk__in=[item.case_id for item in items]).order_by("pk"):
        case_holder_change(case=case, new_holder=to_person, reason=reason, actor=actor)
    return len(items)


CASES_HELD = WorkKind(
    name="cases",
    order=10,
    title="Open cases they hold",
    columns=("Case", "Child's initials", "Service", "Opened"),
    items=_cases_held,
    candidates=_case_managers_for,
    problems=_case_problems,
    reassign=_cases_reassign,
)
