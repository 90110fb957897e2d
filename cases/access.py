"""The access module: the one place that answers "may this person do this to that case?".

Two layers, both required for every action:

1. Role: the person's role groups must hold the action's model permission
   (for example `cases.read_case_record`).
2. Object: the person must stand in one of the action's relations to the case:
   - OWNER: a case manager of the YJS that owns the case;
   - HOLDER: the named case holder (also an owner);
   - COVERING: an ECM psychologist or senior practitioner who covers the owning YJS;
   - SHARED: granted the shared summary of this one case, personally or through their
     agency's group (a django-guardian direct foreign-key object permission).

A case nobody may see answers 404 whether or not it exists; a case someone may see but
not act on answers 403. Every case fetched here writes an access event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.audit import access_event_record
from accounts.models import CLINICIAN_ROLES, AccessAction, Coverage, Membership, Role
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission

SUMMARY_PERMISSION = "view_case_summary"


class Relation(StrEnum):
    OWNER = "owner"
    HOLDER = "holder"
    COVERING = "covering"
    SHARED = "shared"


@dataclass(frozen=True)
class Rule:
    role_permission: str | None
    relations: frozenset[Relation]


_OWNER, _HOLDER, _COVERING, _SHARED = Relation.OWNER, Relation.HOLDER, Relation.COVERING, Relation.SHARED

# The access matrix of DESIGN.md, one action per line. Later features add their actions here.
RULES: dict[str, Rule] = {
    "view": Rule("cases.read_case_record", frozenset({_OWNER, _COVERING})),
    "change": Rule("cases.write_case_record", frozenset({_OWNER, _COVERING})),
    "view_restricted": Rule("cases.read_restricted_notes", frozenset({_HOLDER, _COVERING})),
    "view_summary": Rule(None, frozenset({_OWNER, _COVERING, _SHARED})),
    "view_access_log": Rule("cases.read_case_access_log", frozenset({_OWNER, _COVERING})),
}

# Relations that make a case visible at all (anything else is a 404).
VISIBLE_RELATIONS = frozenset({_OWNER, _COVERING, _SHARED})


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and not isinstance(user, AnonymousUser) and user.is_active)


def _owner_condition(user: Any) -> Q:
    yjs_ids = Membership.objects.filter(
        user=user,
        role=Role.CASE_MANAGER,
        is_active=True,
        agency__is_active=True,
    ).values("agency_id")
    return Q(owning_yjs_id__in=yjs_ids)


def _covering_condition(user: Any) -> Q:
    is_clinician = Membership.objects.filter(user=user, role__in=CLINICIAN_ROLES, is_active=True)
    covered_yjs_ids = Coverage.objects.filter(clinician=user).filter(Exists(is_clinician)).values("yjs_id")
    return Q(owning_yjs_id__in=covered_yjs_ids)


def _shared_condition(user: Any) -> Q:
    personal = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user=user,
        permission__codename=SUMMARY_PERMISSION,
        permission__content_type__app_label="cases",
    )
    through_agency = CaseGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        group__in=Group.objects.filter(user=user),
        permission__codename=SUMMARY_PERMISSION,
        permission__content_type__app_label="cases",
    )
    return Q(Exists(personal)) | Q(Exists(through_agency))


def _holder_condition(user: Any) -> Q:
    return Q(case_holder=user) & _owner_condition(user)


_CONDITIONS = {
    _OWNER: _owner_condition,
    _HOLDER: _holder_condition,
    _COVERING: _covering_condition,
    _SHARED: _shared_condition,
}


def _condition_for(user: Any, relations: Iterable[Relation]) -> Q:
    condition = Q(pk__in=[])
    for relation in relations:
        condition |= _CONDITIONS[relation](user)
    return condition


def has_role_permission(user: Any, permission: str | None) -> bool:
    """The role layer: does one of the person's role groups hold this permission?"""
    if not _is_signed_in(user):
        return False
    if permission is None:
        return True
    return bool(user.has_perm(permission))


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case the person may see at all, as one SQL query usable in any queryset."""
    if not _is_signed_in(user):
        return Case.objects.none()
    return Case.objects.filter(_condition_for(user, VISIBLE_RELATIONS))


def cases_for(user: Any, action: str) -> QuerySet[Case]:
    """The cases on which the person may perform `action`, as one SQL query."""
    rule = RULES[action]
    if not has_role_permission(user, rule.role_permission):
        return Case.objects.none()
    return Case.objects.filter(_condition_for(user, rule.relations))


def relations_to(user: Any, case: Case) -> frozenset[Relation]:
    """How the person stands to this case (cached on the case instance once computed)."""
    cached = getattr(case, "_access_relations", None)
    if cached is not None and getattr(case, "_access_user_id", None) == getattr(user, "pk", None):
        return frozenset(cached)
    if not _is_signed_in(user):
        return frozenset()
    flags = (
        Case.objects.filter(pk=case.pk)
        .annotate(**_relation_annotations(user))
        .values(*[f"rel_{relation}" for relation in Relation])
        .first()
    )
    relations = _relations_from_flags(flags or {})
    _remember(case, user, relations)
    return relations


def may(user: Any, action: str, case: Case) -> bool:
    """May the person perform `action` on this case? Both layers, no logging."""
    rule = RULES[action]
    if not has_role_permission(user, rule.role_permission):
        return False
    return bool(relations_to(user, case) & rule.relations)


def get_case_for(
    user: Any,
    case_id: int | str,
    action: str,
    *,
    log_as: str = AccessAction.VIEW,
    log: bool = True,
) -> Case:
    """Fetch a case for an action: 404 if invisible (or absent), 403 if visible but forbidden.

    Writes an access event (`log_as`, a view by default) when the case is returned, and a
    "refused" event when it is not.
    """
    try:
        pk = int(case_id)
    except (TypeError, ValueError) as error:
        raise Http404("No such case") from error
    rule = RULES[action]
    if not _is_signed_in(user):
        raise Http404("No such case")
    case = (
        Case.objects.select_related("child", "owning_yjs", "case_holder")
        .annotate(**_relation_annotations(user))
        .filter(pk=pk)
        .first()
    )
    relations = _relations_from_flags(case.__dict__ if case else {})
    if case is None or not relations & VISIBLE_RELATIONS:
        access_event_record(
            user=user,
            action=AccessAction.DENIED,
            record_type="case",
            record_id=pk,
            case_id=pk,
            description=f"{action}: not visible",
        )
        raise Http404("No such case")
    _remember(case, user, relations)
    if not has_role_permission(user, rule.role_permission) or not relations & rule.relations:
        access_event_record(
            user=user,
            action=AccessAction.DENIED,
            record_type="case",
            record_id=pk,
            case_id=pk,
            description=f"{action}: forbidden",
        )
        raise PermissionDenied(f"You may not {action.replace('_', ' ')} this case.")
    if log:
        access_event_record(
            user=user, action=log_as, record_type="case", record_id=pk, case_id=pk, description=action
        )
    return case


def _relation_annotations(user: Any) -> dict[str, ExpressionWrapper]:
    return {
        f"rel_{relation}": ExpressionWrapper(condition(user), output_field=BooleanField())
        for relation, condition in _CONDITIONS.items()
    }


def _relations_from_flags(flags: dict[str, Any]) -> frozenset[Relation]:
    return frozenset(relation for relation in Relation if flags.get(f"rel_{relation}"))


def _remember(case: Case, user: Any, relations: frozenset[Relation]) -> None:
    case._access_relations = relations  # type: ignore[attr-defined]
    case._access_user_id = user.pk  # type: ignore[attr-defined]


# Questions that are not about one case.


def has_role(user: Any, *roles: str) -> bool:
    """Does the person hold any of these roles in an active membership?"""
    if not _is_signed_in(user):
        return False
    return Membership.objects.filter(
        user=user, role__in=roles, is_active=True, agency__is_active=True
    ).exists()


def may_read_whole_access_log(user: Any) -> bool:
    """Service administrators read the whole access log (and nothing of case content)."""
    return has_role_permission(user, "accounts.read_access_log")
