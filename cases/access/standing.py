"""Who the person is to the access module, looked up in one query and kept for the request.

Every scoping condition in `cases.access.core` starts from the same few facts about the person: the
youth justice services where they are an active case manager, the services they cover as an active
ECM clinician, and the cases whose shared summary was granted to them (personally or through their
agency's group). Reading them once and putting the ids in the query as plain values lets PostgreSQL
filter cases by its indexes (a bitmap OR of service and id) with no per-row subquery: correlated
subqueries there once cost a 1 s JIT compilation on every list (issue 14). Kept per request by
`core.memo`, so a change is seen from the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, Value

from accounts.models import CLINICIAN_ROLES, Coverage, Membership, Role, User
from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission
from core.memo import memoised

# The object permission that shares a case's summary (django-guardian, direct foreign keys).
SUMMARY_PERMISSION = "view_case_summary"

_OWNS, _COVERS, _SHARED = 1, 2, 3


@dataclass(frozen=True)
class Standing:
    owned_yjs: frozenset[int]  # services where the person is an active case manager (service active)
    covered_yjs: frozenset[int]  # services the person covers while an active ECM clinician
    shared_cases: frozenset[int]  # cases whose shared summary was granted to them or their agency's group


def standing_of(user: Any) -> Standing:
    """The person's standing (one query; once per request inside a request)."""
    return memoised(("access-standing", user.pk), lambda: _read_standing(user.pk))


def _read_standing(user_id: int) -> Standing:
    def tagged(queryset: Any, tag: int, field: str) -> Any:
        return queryset.annotate(tag=Value(tag, output_field=IntegerField())).values_list("tag", field)

    owns = Membership.objects.filter(
        user_id=user_id, role=Role.CASE_MANAGER, is_active=True, agency__is_active=True
    ).order_by()
    is_clinician = Membership.objects.filter(user_id=OuterRef("clinician_id"), role__in=CLINICIAN_ROLES, is_active=True)
    covers = Coverage.objects.filter(clinician_id=user_id).filter(Exists(is_clinician)).order_by()
    summary = {"permission__codename": SUMMARY_PERMISSION, "permission__content_type__app_label": "cases"}
    personal = CaseUserObjectPermission.objects.filter(user_id=user_id, **summary).order_by()
    groups = User.groups.through.objects.filter(user_id=user_id).values("group_id")
    through_agency = CaseGroupObjectPermission.objects.filter(group_id__in=groups, **summary).order_by()
    rows = tagged(owns, _OWNS, "agency_id").union(
        tagged(covers, _COVERS, "yjs_id"),
        tagged(personal, _SHARED, "content_object_id"),
        tagged(through_agency, _SHARED, "content_object_id"),
        all=True,
    )
    found: dict[int, set[int]] = {_OWNS: set(), _COVERS: set(), _SHARED: set()}
    for tag, value in rows:
        found[tag].add(value)
    return Standing(
        owned_yjs=frozenset(found[_OWNS]), covered_yjs=frozenset(found[_COVERS]), shared_cases=frozenset(found[_SHARED])
    )
