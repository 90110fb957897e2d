"""Who the person is to the access module, looked up in one query and kept for the request.

Every scoping condition in `cases.access.core` starts from the same few facts about the person: the
youth justice services where they are an active case manager, the services they cover as an active
ECM clinician, and the cases whose shared summary was granted to them (personally or through their
agency's group). Reading them once and putting the ids in the query as plain values lets PostgreSQL
filter cases by its indexes (a bitmap OR of service and id) with no per-row subquery: correlated
subqueries there once cost a 1 s JIT compilation on every list (issue 14). A person fact
(core.person_facts): read with the person's permissions and memberships in the request's one read
of them, kept for the request, so a change is seen from the next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import CLINICIAN_ROLES, Agency, Coverage, Membership, Role, User
from cases.access.consent import sharing_stopped_params, sharing_stopped_sql
from cases.access.former import FORMER_TAG, former_params, former_sql
from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission
from core.person_facts import PersonFact, person_fact, register_person_fact

# The object permission that shares a case's summary (django-guardian, direct foreign keys).
SUMMARY_PERMISSION = "view_case_summary"

_OWNS, _COVERS, _SHARED = 1, 2, 3
STANDING = "access_standing"


@dataclass(frozen=True)
class Standing:
    owned_yjs: frozenset[int]  # services where the person is an active case manager (service active)
    covered_yjs: frozenset[int]  # services the person covers while an active ECM clinician
    # cases whose shared summary was granted to them or their agency's group, while consent to share stands
    shared_cases: frozenset[int]
    # cases that moved away from a service where the person is a case manager, still in its read period (former.py)
    former_cases: frozenset[int] = frozenset()


def standing_of(user: Any) -> Standing:
    """The person's standing (read with their other facts, once per request inside a request)."""
    standing: Standing = person_fact(user, STANDING)
    return standing


def _standing_sql() -> str:
    """The one statement, written once: compiling it through the ORM (a four-way UNION) cost 2.5 ms
    of Python on every request, ten times what PostgreSQL spends answering it.

    Planning is most of what PostgreSQL spends (about 1 ms against 0.2 ms running it at national scale), so
    the statement is shaped to plan quickly: the services the person manages and the shares granted to them
    are each read once, as materialised parts that later parts use (the former cases start from the managed
    services; the consent check runs once over every share, personal or through the agency), and the summary
    permission is one scalar value, not a join to plan.
    """
    membership, agency, coverage = (model._meta.db_table for model in (Membership, Agency, Coverage))
    personal, through_agency = CaseUserObjectPermission._meta.db_table, CaseGroupObjectPermission._meta.db_table
    user_groups = User.groups.through._meta.db_table
    summary_permission = f"""(
        SELECT perm.id FROM auth_permission perm JOIN django_content_type ct ON ct.id = perm.content_type_id
         WHERE perm.codename = %({STANDING}__codename)s AND ct.app_label = 'cases')"""  # noqa: S608 - a parameter
    return f"""
      WITH managed AS MATERIALIZED (
        SELECT m.agency_id FROM {membership} m JOIN {agency} a ON a.id = m.agency_id
         WHERE m.user_id = %(user)s AND m.role = %({STANDING}__case_manager)s AND m.is_active AND a.is_active
      ), shares AS MATERIALIZED (
        SELECT p.content_object_id AS case_id FROM {personal} p
         WHERE p.user_id = %(user)s AND p.permission_id = {summary_permission}
        UNION ALL
        SELECT g.content_object_id FROM {through_agency} g
         WHERE g.group_id IN (SELECT ug.group_id FROM {user_groups} ug WHERE ug.user_id = %(user)s)
           AND g.permission_id = {summary_permission}
      )
      SELECT coalesce(jsonb_agg(jsonb_build_array(tag, id)), '[]'::jsonb) FROM (
        SELECT {_OWNS} AS tag, managed.agency_id AS id FROM managed
        UNION ALL
        SELECT {_COVERS}, c.yjs_id FROM {coverage} c
         WHERE c.clinician_id = %(user)s AND EXISTS (
               SELECT 1 FROM {membership} m
                WHERE m.user_id = %(user)s AND m.role = ANY(%({STANDING}__clinician_roles)s) AND m.is_active)
        UNION ALL
        SELECT {_SHARED}, shares.case_id FROM shares
         WHERE NOT {sharing_stopped_sql("shares.case_id", STANDING)}
        UNION ALL
        {former_sql(STANDING, managed="managed")}
      ) AS standing
    """  # noqa: S608 - table names come from the models' metadata, every value is a parameter


def _parse(rows: list[list[int]] | None) -> Standing:
    found: dict[int, set[int]] = {_OWNS: set(), _COVERS: set(), _SHARED: set(), FORMER_TAG: set()}
    for tag, value in rows or []:
        found[tag].add(value)
    return Standing(
        owned_yjs=frozenset(found[_OWNS]),
        covered_yjs=frozenset(found[_COVERS]),
        shared_cases=frozenset(found[_SHARED]),
        former_cases=frozenset(found[FORMER_TAG]),
    )


def register() -> None:
    register_person_fact(
        PersonFact(
            STANDING,
            _standing_sql,
            parse=_parse,
            params=lambda user: {
                f"{STANDING}__case_manager": str(Role.CASE_MANAGER),
                f"{STANDING}__clinician_roles": [str(role) for role in CLINICIAN_ROLES],
                f"{STANDING}__codename": SUMMARY_PERMISSION,
                # Consent to share withdrawn: the share stands but gives nothing (cases/access/consent.py).
                **sharing_stopped_params(STANDING),
                # A case that moved away: its former service reads it for a while (cases/access/former.py).
                **former_params(STANDING),
            },
        )
    )
