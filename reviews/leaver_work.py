"""Open actions a person owns, as a kind of work their leaver's page hands on (cases/leaver_work.py)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from accounts.models import Agency, User
from cases import access
from cases.access import Action
from cases.leaver_work import WorkItem, WorkKind, long_date
from cases.models import Case, CaseStatus
from formulation.models import ActionStatus, Recommendation
from reviews.action_selectors import OPEN_ACTION_STATUSES, is_action


def _actions_owned(person: User, services: QuerySet[Agency]) -> list[WorkItem]:
    actions = (
        Recommendation.objects.filter(is_action())
        .filter(
            owner=person,
            status__in=OPEN_ACTION_STATUSES,
            case__status=CaseStatus.OPEN,
            case__owning_yjs__in=services,
        )
        .select_related("case__child", "case__owning_yjs")
        .order_by("due_on", "pk")
    )
    items = []
    for action in actions:
        case = action.case
        due, status = long_date(action.due_on), ActionStatus(action.status).label
        items.append(
            WorkItem(
                kind="actions",
                pk=action.pk,
                case_id=case.pk,
                label=f"Action {action.pk} on case {case.pk}, {case.child.initials}, {case.owning_yjs.name}, "
                f"due {due} ({status.lower()})",
                cells=(
                    f"Action {action.pk}",
                    f"Case {case.pk}",
                    case.child.initials,
                    case.owning_yjs.name,
                    due,
                    status,
                ),
            )
        )
    return items


def _people_who_see(items: Sequence[WorkItem]) -> QuerySet[User]:
    ids: set[int] = set()
    for case in Case.objects.filter(pk__in={item.case_id for item in items}).select_related("owning_yjs"):
        ids.update(viewer.person.pk for viewer in access.who_can_see(case))
    return User.objects.filter(pk__in=ids, is_active=True)


def _action_problems(items: Sequence[WorkItem], to_person: User) -> list[str]:
    name = to_person.get_full_name()
    problems = []
    for case in Case.objects.filter(pk__in={item.case_id for item in items}).order_by("pk"):
        if not to_person.is_active or not access.may(to_person, Action.VIEW_SUMMARY, case):
            problems.append(
                f"Case {case.pk}: {name} cannot see this case in ECM, so cannot own its actions. "
                "Share the case's summary with them first, or choose someone else"
            )
    return problems


def _actions_reassign(*, items: Sequence[WorkItem], to_person: User, actor: User, reason: str) -> int:
    from reviews.services import action_owner_change

    for action in Recommendation.objects.filter(pk__in=[item.pk for item in items]).order_by("pk"):
        action_owner_change(action=action, new_owner=to_person, reason=reason, actor=actor)
    return len(items)


ACTIONS_OWNED = WorkKind(
    name="actions",
    order=20,
    title="Open actions they own",
    columns=("Action", "Case", "Child's initials", "Service", "Due", "Status"),
    items=_actions_owned,
    candidates=_people_who_see,
    problems=_action_problems,
    reassign=_actions_reassign,
)
