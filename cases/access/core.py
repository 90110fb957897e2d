"""The core of the access module (`cases.access`): "may this person do this to that case?".

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

import functools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.audit import access_event_record
from accounts.models import (
    CLINICIAN_ROLES,
    AccessAction,
    Agency,
    AgencyKind,
    Commissioning,
    Coverage,
    Membership,
    Role,
)
from cases.access.former import former_condition
from cases.access.standing import Standing, standing_of
from cases.merge_redirect import RecordMerged
from cases.models import Case
from config.converters import record_id_or_404
from core.db import CompiledQuery, CompiledSql, compile_expression, compile_query, condition_sql
from core.memo import memoised

R = TypeVar("R", bound=Model)


class Relation(StrEnum):
    OWNER = "owner"
    HOLDER = "holder"
    COVERING = "covering"
    SHARED = "shared"
    # A case manager of a service that held the case before it moved, for a set period (cases/access/former.py).
    FORMER = "former"


@dataclass(frozen=True)
class Rule:
    role_permission: str | None
    relations: frozenset[Relation]


_OWNER, _HOLDER, _COVERING, _SHARED = Relation.OWNER, Relation.HOLDER, Relation.COVERING, Relation.SHARED
_FORMER = Relation.FORMER


class Action(StrEnum):
    """What a person may ask to do to a case or a record hanging off it: the keys of RULES.

    A StrEnum, so a misspelt action fails at import (or in mypy), and each member still equals the
    plain string it replaced ("view" == Action.VIEW).
    """

    VIEW = "view"
    CHANGE = "change"
    VIEW_RESTRICTED = "view_restricted"
    VIEW_SUMMARY = "view_summary"
    VIEW_ACCESS_LOG = "view_access_log"
    LOG_CONSULTATION = "log_consultation"
    RECORD_STAGE_ASSESSMENT = "record_stage_assessment"
    SCHEDULE_MEETING = "schedule_meeting"
    WRITE_REPORT = "write_report"
    READ_REPORT_DRAFTS = "read_report_drafts"
    REVIEW_REPORT = "review_report"
    CHAIR_REVIEW = "chair_review"
    PROGRESS_ACTION = "progress_action"
    VIEW_REFERRAL = "view_referral"
    EDIT_REFERRAL = "edit_referral"
    TRIAGE_REFERRAL = "triage_referral"
    OVERRIDE_CONSENT = "override_consent"
    MERGE_RECORDS = "merge_records"
    READ_FORMER_RECORDS = "read_former_records"
    CONTINUE_SHARING = "continue_sharing"


# The access matrix of DESIGN.md, one action per line. Later features add their actions here.
RULES: dict[Action, Rule] = {
    Action.VIEW: Rule("cases.read_case_record", frozenset({_OWNER, _COVERING})),
    Action.CHANGE: Rule("cases.write_case_record", frozenset({_OWNER, _COVERING})),
    Action.VIEW_RESTRICTED: Rule("cases.read_restricted_notes", frozenset({_HOLDER, _COVERING})),
    Action.VIEW_SUMMARY: Rule(None, frozenset({_OWNER, _COVERING, _SHARED, _FORMER})),
    # After a case moved: its former service reads what it recorded while it held the case (cases/access/former.py).
    Action.READ_FORMER_RECORDS: Rule("cases.read_case_record", frozenset({_FORMER})),
    Action.VIEW_ACCESS_LOG: Rule("cases.read_case_access_log", frozenset({_OWNER, _COVERING})),
    Action.LOG_CONSULTATION: Rule("cases.log_consultation", frozenset({_COVERING})),
    Action.RECORD_STAGE_ASSESSMENT: Rule("trm_stages.record_stage_assessment", frozenset({_COVERING})),
    # Meetings: full-record readers see every meeting (VIEW); a partner who sees the case sees only
    # the meetings they are invited to (formulation/selectors/meetings.py); covering clinicians run them.
    Action.SCHEDULE_MEETING: Rule("formulation.schedule_meeting", frozenset({_COVERING})),
    # Formulation reports: the psychologist writes; covering clinicians read drafts and review (a
    # reviewer is never the author: formulation/capabilities.py); the case's full-record readers read
    # signed-off versions (VIEW); the network downloads the signed-off summary (VIEW_SUMMARY).
    Action.WRITE_REPORT: Rule("formulation.write_formulation_report", frozenset({_COVERING})),
    Action.READ_REPORT_DRAFTS: Rule("formulation.read_report_drafts", frozenset({_COVERING})),
    Action.REVIEW_REPORT: Rule("formulation.review_formulation_report", frozenset({_COVERING})),
    # Reviews: the case's full-record readers read them (VIEW); covering senior practitioners chair
    # them (schedule, record, sign off). Actions: covering clinicians post progress on any action; an
    # action's owner, whoever they are, on their own while they see the case (reviews/selectors.py).
    Action.CHAIR_REVIEW: Rule("reviews.chair_review", frozenset({_COVERING})),
    Action.PROGRESS_ACTION: Rule("cases.write_case_record", frozenset({_COVERING})),
    # Referrals (REFERRAL_SCOPE): covering clinicians see them once submitted.
    Action.VIEW_REFERRAL: Rule("cases.read_case_record", frozenset({_OWNER, _COVERING})),
    Action.EDIT_REFERRAL: Rule("cases.write_case_record", frozenset({_OWNER})),
    Action.TRIAGE_REFERRAL: Rule("referrals.triage_referral", frozenset({_COVERING})),
    Action.OVERRIDE_CONSENT: Rule("referrals.override_consent", frozenset({_COVERING})),
    # Merging two records of the same child: covering senior practitioners, both cases of one service.
    Action.MERGE_RECORDS: Rule("cases.merge_case_records", frozenset({_COVERING})),
    # Consent to share withdrawn: a covering senior practitioner may record a lawful basis to go on sharing.
    Action.CONTINUE_SHARING: Rule("referrals.override_consent", frozenset({_COVERING})),
}

# Relations that make a case visible at all (anything else is a 404).
VISIBLE_RELATIONS = frozenset({_OWNER, _COVERING, _SHARED, _FORMER})


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and not isinstance(user, AnonymousUser) and user.is_active)


@dataclass(frozen=True)
class Scope:
    """How one kind of record hangs off a youth justice service, so the same rules scope it.

    Field names only: the access module never imports the apps above `cases`.
    """

    service_field: str  # foreign key to the owning youth justice service
    holder_field: str  # foreign key to the person who holds the record
    shares_apply: bool  # guardian shares of the shared summary (cases only)
    covering_condition: Q  # what covering clinicians may see of these records
    case_field: str | None  # how to reach the case id, for the access log
    record_type: str


CASE_SCOPE = Scope(
    service_field="owning_yjs_id",
    holder_field="case_holder_id",
    shares_apply=True,
    covering_condition=Q(),
    case_field="pk",
    record_type="case",
)
# Drafts belong to the referring service until they are submitted for triage.
REFERRAL_SCOPE = Scope(
    service_field="referring_yjs_id",
    holder_field="referrer_id",
    shares_apply=False,
    covering_condition=~Q(status="draft"),
    case_field="case_id",
    record_type="referral",
)
# A covering senior practitioner records a consent override while the referral is still a draft:
# for that one action only, covering clinicians reach drafts.
REFERRAL_CONSENT_SCOPE = Scope(
    service_field="referring_yjs_id",
    holder_field="referrer_id",
    shares_apply=False,
    covering_condition=Q(),
    case_field="case_id",
    record_type="referral",
)


def referral_scope_for(action: Action) -> Scope:
    """The scope a referral action is judged in (drafts are the referring service's own)."""
    return REFERRAL_CONSENT_SCOPE if action == Action.OVERRIDE_CONSENT else REFERRAL_SCOPE


# Each relation as a condition on the records of a scope, from the person's standing (read once).


def _owner_condition(user: Any, standing: Standing, scope: Scope) -> Q:
    return Q(**{f"{scope.service_field}__in": sorted(standing.owned_yjs)})


def _covering_condition(user: Any, standing: Standing, scope: Scope) -> Q:
    return Q(**{f"{scope.service_field}__in": sorted(standing.covered_yjs)}) & scope.covering_condition


def _shared_condition(user: Any, standing: Standing, scope: Scope) -> Q:
    if not scope.shares_apply:
        return Q(pk__in=[])
    return Q(pk__in=sorted(standing.shared_cases))


def _holder_condition(user: Any, standing: Standing, scope: Scope) -> Q:
    return Q(**{scope.holder_field: user.pk}) & _owner_condition(user, standing, scope)


_CONDITIONS = {
    _OWNER: _owner_condition,
    _HOLDER: _holder_condition,
    _COVERING: _covering_condition,
    _SHARED: _shared_condition,
    _FORMER: former_condition,
}


def _condition_for(user: Any, relations: Iterable[Relation], scope: Scope = CASE_SCOPE) -> Q:
    standing = standing_of(user)
    condition = Q(pk__in=[])
    for relation in relations:
        condition |= _CONDITIONS[relation](user, standing, scope)
    return condition


def has_role_permission(user: Any, permission: str | None) -> bool:
    """The role layer: does one of the person's role groups hold this permission?"""
    if not _is_signed_in(user):
        return False
    if permission is None:
        return True
    # Kept for the request, as Django keeps the person's permissions on them (`_perm_cache`): a page asks this a
    # dozen times, and each `has_perm` makes every authentication backend anew to ask it (issue 14).
    return memoised(("role-permission", user.pk, permission), lambda: bool(user.has_perm(permission)))


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case the person may see at all, as one SQL query usable in any queryset.

    The person's standing is read when the queryset is built (once per request) and goes into the
    query as ids: build it in the request that uses it.
    """
    return visible(user, Case.objects.all(), CASE_SCOPE)


def cases_for(user: Any, action: Action) -> QuerySet[Case]:
    """The cases on which the person may perform `action`, as one SQL query."""
    return records_for(user, Case.objects.all(), action, CASE_SCOPE)


def visible(user: Any, records: QuerySet[R], scope: Scope) -> QuerySet[R]:
    """The records of `scope` the person may see at all, as one SQL query."""
    if not _is_signed_in(user):
        return records.none()
    return records.filter(_condition_for(user, VISIBLE_RELATIONS, scope))


def records_for(user: Any, records: QuerySet[R], action: Action, scope: Scope) -> QuerySet[R]:
    """The records of `scope` on which the person may perform `action`, as one SQL query."""
    rule = RULES[action]
    if not has_role_permission(user, rule.role_permission):
        return records.none()
    return records.filter(_condition_for(user, rule.relations, scope))


def row_condition(user: Any, action: Action) -> Q:
    """The cases on which the person may perform `action`, as a condition on the case's own row (plain ids,
    no subquery): to mark, row by row, what a list of visible cases may show (`cases.selectors.case_list`)."""
    rule = RULES[action]
    if not has_role_permission(user, rule.role_permission):
        return Q(pk__in=[])
    return _condition_for(user, rule.relations)


def scope_key(user: Any) -> Hashable:
    """Everything the access conditions built for this person read: their id, their standing, the role permissions
    of the matrix they hold, and the rules themselves (the matrix, the conditions, the scopes). Equal keys make
    equal conditions, so SQL compiled from them can be kept under this key (the caseload's pages, my actions, the
    triage queue); a share granted, a membership ended, a role changed or a rule changed is a new key."""
    held = tuple(sorted({rule.role_permission for rule in RULES.values() if rule.role_permission}))
    permissions = tuple(has_role_permission(user, permission) for permission in held)
    scopes = (CASE_SCOPE, REFERRAL_SCOPE, REFERRAL_CONSENT_SCOPE)
    rules = (tuple(RULES.items()), tuple(_CONDITIONS.items()), VISIBLE_RELATIONS, scopes)
    return (user.pk, standing_of(user), permissions, rules)


def row_condition_sql(user: Any, action: Action) -> tuple[str, tuple[Any, ...]]:
    """`row_condition` as SQL on the case's own row (`core.db.condition_sql`), for raw SQL such as the caseload's
    work columns: compiled once per person's access (`scope_key`)."""
    return _row_condition_sql(action, user, scope_key(user))


@functools.lru_cache(maxsize=1024)
def _row_condition_sql(action: Action, user: Any, scope: Hashable) -> tuple[str, tuple[Any, ...]]:
    if not has_role_permission(user, RULES[action].role_permission):
        return "FALSE", ()
    return condition_sql(Case, _condition_for(user, RULES[action].relations))


def relations_to(user: Any, case: Case) -> frozenset[Relation]:
    """How the person stands to this case (cached on the case instance once computed)."""
    cached = getattr(case, "_access_relations", None)
    if cached is not None and getattr(case, "_access_user_id", None) == getattr(user, "pk", None):
        return frozenset(cached)
    if not _is_signed_in(user):
        return frozenset()
    # One row by primary key: no ORDER BY (compiling `.first()`'s ordering cost more than the query).
    found = (
        Case.objects.filter(pk=case.pk)
        .annotate(**_relation_annotations(user, CASE_SCOPE))
        .values(*[f"rel_{relation}" for relation in Relation])
        .order_by()[:1]
    )
    relations = _relations_from_flags(next(iter(found), {}))
    _remember(case, user, relations)
    return relations


def may(user: Any, action: Action, case: Case) -> bool:
    """May the person perform `action` on this case? Both layers, no logging."""
    rule = RULES[action]
    if not has_role_permission(user, rule.role_permission):
        return False
    return bool(relations_to(user, case) & rule.relations)


def get_case_for(
    user: Any,
    case_id: int | str,
    action: Action,
    *,
    log_as: str = AccessAction.VIEW,
    log: bool = True,
) -> Case:
    """Fetch a case for an action: 404 if invisible (or absent), 403 if visible but forbidden.

    Writes an access event (`log_as`, a view by default) when the case is returned, and a
    "refused" event when it is not.
    """
    return get_for(user, _case_records, case_id, action, CASE_SCOPE, log_as=log_as, log=log)


def _case_records() -> QuerySet[Case]:
    return Case.objects.select_related("child", "owning_yjs", "case_holder", "psychologist", "senior_practitioner")


def get_for(
    user: Any,
    records: Callable[[], QuerySet[R]],
    record_id: int | str,
    action: Action,
    scope: Scope,
    *,
    log_as: str = AccessAction.VIEW,
    log: bool = True,
) -> R:
    """Fetch one record of `scope` for an action, with the same 404/403 rules and logging as cases.

    `records` is a module-level function giving the records to fetch from (their `select_related`): the query is
    compiled once per function, person and standing (`_flagged_record`), not on every page."""
    # An id no primary key can have (0, negative, over 2**63 - 1) is absent: never queried, never logged.
    pk = record_id_or_404(record_id)
    rule = RULES[action]
    if not _is_signed_in(user):
        raise Http404("No such record")
    found = _flagged_record(records, tuple(_CONDITIONS.items()), scope, user, standing_of(user)).fetch(pk=pk)
    record = found[0] if found else None
    relations = _relations_from_flags(record.__dict__ if record is not None else {})
    case_id = _case_id(record, scope) if record is not None else (pk if scope is CASE_SCOPE else None)
    if record is None or not relations & VISIBLE_RELATIONS:
        _log(user, AccessAction.DENIED, scope, pk, case_id, f"{action}: not visible")
        raise Http404("No such record")
    if scope is CASE_SCOPE and getattr(record, "merged_into_id", None) is not None:
        # Seen by this person before the merge: its pages lead to the surviving case (cases/merge_redirect.py).
        raise RecordMerged(pk, record.merged_into_id)
    if not has_role_permission(user, rule.role_permission) or not relations & rule.relations:
        _log(user, AccessAction.DENIED, scope, pk, case_id, f"{action}: forbidden")
        raise PermissionDenied(f"You may not {action.replace('_', ' ')} this {scope.record_type}.")
    if scope is CASE_SCOPE:
        _remember(record, user, relations)
    if log:
        _log(user, log_as, scope, pk, case_id, _what_was_seen(user, action, relations))
    return record


def _case_id(record: Any, scope: Scope) -> int | None:
    return getattr(record, scope.case_field) if scope.case_field else None


def _log(user: Any, action: str, scope: Scope, pk: int, case_id: int | None, description: str) -> None:
    access_event_record(
        user=user,
        action=action,
        record_type=scope.record_type,
        record_id=pk,
        case_id=case_id,
        description=description,
    )


def _relation_annotations(user: Any, scope: Scope, model: type[Model] = Case) -> dict[str, RawSQL]:
    """Each relation as a flag on `model`'s records of `scope` (`rel_<relation>`), from the person's standing."""
    flags = _relation_flags(tuple(_CONDITIONS.items()), scope, user, standing_of(user), model)
    return {name: flag.expression() for name, flag in flags}


@functools.lru_cache(maxsize=1024)
def _relation_flags(
    conditions: tuple[tuple[Relation, Any], ...], scope: Scope, user: Any, standing: Standing, model: type[Model]
) -> tuple[tuple[str, CompiledSql], ...]:
    """The flags' SQL, compiled by the ORM once for each of its inputs (issue 14: building and compiling them on
    every request cost more than the query). The conditions read only the person's id and their standing, both part
    of the key with the conditions and the scope themselves, so a change of standing (a share granted, a membership
    ended) is a new entry, never a stale one."""
    return tuple(
        (
            f"rel_{relation}",
            compile_expression(model, ExpressionWrapper(condition(user, standing, scope), BooleanField())),
        )
        for relation, condition in conditions
    )


@functools.lru_cache(maxsize=1024)
def _flagged_record(
    records: Callable[[], QuerySet[R]],
    conditions: tuple[tuple[Relation, Any], ...],
    scope: Scope,
    user: Any,
    standing: Standing,
) -> CompiledQuery[R]:
    """One of `records` by its id (the placeholder `pk`) with the person's relation flags, as SQL compiled once for
    each of its inputs (`core.db.compile_query`; building and compiling it took about 1 ms of every case page). Its
    key is `_relation_flags`' with the records' function, so a change of standing is a new entry, never a stale one."""
    flags = _relation_flags(conditions, scope, user, standing, records().model)
    return compile_query(_flagged, records, flags)


def _flagged(records: Callable[[], QuerySet[R]], flags: tuple[tuple[str, CompiledSql], ...], *, pk: int) -> QuerySet[R]:
    return records().annotate(**{name: flag.expression() for name, flag in flags}).filter(pk=pk).order_by()[:1]


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
    return Membership.objects.filter(user=user, role__in=roles, is_active=True, agency__is_active=True).exists()


def may_read_whole_access_log(user: Any) -> bool:
    """Service administrators read the whole access log (and nothing of case content)."""
    return has_role_permission(user, "accounts.read_access_log")


def may_handle_subject_access_requests(user: Any) -> bool:
    """Senior practitioners and service administrators handle subject access requests (data_rights): one
    queue for every child across agencies, so the role layer alone decides (there is no object layer)."""
    return has_role_permission(user, "data_rights.handle_subject_access_request")


def may_handle_retention(user: Any) -> bool:
    """Senior practitioners and service administrators review closed cases for retention (data_rights): keep,
    place or lift a legal hold, anonymise. Like subject access, one queue across agencies: the role layer decides."""
    return has_role_permission(user, "data_rights.handle_retention")


def may_publish_trm_reference(user: Any) -> bool:
    """Service administrators publish new versions of the TRM reference data (no case content involved)."""
    return has_role_permission(user, "trm_stages.publish_trm_version")


def may_read_aggregate_reports(user: Any) -> bool:
    """The role layer of the aggregate reports: case managers, ECM clinicians and commissioners."""
    return has_role_permission(user, "reporting.read_aggregate_reports")


def reportable_agencies(user: Any) -> QuerySet[Agency]:
    """The youth justice services whose aggregate figures the person may see, as one SQL query.

    A case manager: their own service; an ECM psychologist or senior practitioner: the services they
    cover; a commissioner: every service their commissioning body commissions (accounts.Commissioning).
    Everyone else: none.
    """
    if not may_read_aggregate_reports(user):
        return Agency.objects.none()
    own = Membership.objects.filter(user=user, role=Role.CASE_MANAGER, is_active=True, agency__is_active=True)
    is_clinician = Membership.objects.filter(user=user, role__in=CLINICIAN_ROLES, is_active=True)
    covered = Coverage.objects.filter(clinician=user).filter(Exists(is_clinician))
    bodies = Membership.objects.filter(user=user, role=Role.COMMISSIONER, is_active=True, agency__is_active=True)
    commissioned = Commissioning.objects.filter(commissioner_agency__in=bodies.values("agency_id"))
    return Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, is_active=True).filter(
        Q(pk__in=own.values("agency_id")) | Q(pk__in=covered.values("yjs_id")) | Q(pk__in=commissioned.values("yjs_id"))
    )


def _what_was_seen(user: Any, action: Action, relations: frozenset[Relation] | set[Relation]) -> str:
    """The access log's description: a page open to the network logs "view" for those who saw the full record."""
    full = RULES[Action.VIEW]
    if action == Action.VIEW_SUMMARY and relations & full.relations and has_role_permission(user, full.role_permission):
        return str(Action.VIEW)
    return str(action)
