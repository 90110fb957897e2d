"""Reads of referrals: the triage queue, a person's referrals, allocation choices and duplicate detection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.models import AccessAction, Agency, Role, User
from cases import access
from cases.access import Action
from cases.models import Case, CaseStatus, Child
from cases.selectors import matching
from core.pagination import CompiledPages
from referrals.models import Referral, ReferralStatus, Urgency

# Consent overrides happen on drafts, which the covering team cannot otherwise see: for this one
# action the covering relation reaches drafts too. The rule itself (covering senior practitioners
# only) stays in access.RULES[Action.OVERRIDE_CONSENT].


def visible_referrals(user: Any) -> QuerySet[Referral]:
    """Every referral the person may see, as one query (drafts only to the referring service)."""
    return access.visible(user, Referral.objects.all(), access.REFERRAL_SCOPE)


def get_referral_for(user: Any, referral_id: int | str, action: Action, *, log: bool = True) -> Referral:
    """One referral for an action, through the access module (404 invisible, 403 forbidden, logged).

    `log=False` is for the background autosave, which writes rather than reads; refusals are
    logged whatever `log` says.
    """
    return access.get_for(user, _referral_records, referral_id, action, access.REFERRAL_SCOPE, log=log)


def _referral_records() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "child", "referring_yjs", "referrer", "decided_by", "case", "consent_override_by"
    )


def get_referral_for_consent_override(user: Any, referral_id: int | str) -> Referral:
    """A referral, draft or not, for a covering senior practitioner to override missing consent."""
    return access.get_for(
        user, _referral_records_for_consent, referral_id, Action.OVERRIDE_CONSENT, access.REFERRAL_CONSENT_SCOPE
    )


def _referral_records_for_consent() -> QuerySet[Referral]:
    return Referral.objects.select_related("child", "referring_yjs", "referrer", "consent_override_by")


def referral_may(user: Any, action: Action, referral: Referral) -> bool:
    """May the person perform `action` on this referral? Both access layers, one query, no logging."""
    scope = access.referral_scope_for(action)
    records = Referral.objects.filter(pk=referral.pk)
    return access.records_for(user, records, action, scope).exists()


def may_refer(user: Any) -> bool:
    """Referring is a case manager's job."""
    return access.has_role(user, Role.CASE_MANAGER)


def may_triage(user: Any) -> bool:
    """The role layer of triage: covering psychologists and senior practitioners hold it."""
    return access.has_role_permission(user, access.RULES[Action.TRIAGE_REFERRAL].role_permission)


def referring_services(user: Any) -> QuerySet[Agency]:
    """The youth justice services the person refers from: those where they are an active case manager."""
    return Agency.objects.filter(
        memberships__user=user,
        memberships__role=Role.CASE_MANAGER,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def triage_queue(user: Any) -> QuerySet[Referral]:
    """Submitted referrals waiting for the person's decision: urgent ones first, then the longest waiting."""
    urgent_first = DbCase(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1))
    return (
        access.records_for(user, Referral.objects.all(), Action.TRIAGE_REFERRAL, access.REFERRAL_SCOPE)
        .filter(status=ReferralStatus.SUBMITTED)
        .select_related("child", "referring_yjs", "referrer")
        .order_by(urgent_first, "submitted_at", "pk")
    )


def triage_queue_pages(user: Any, *, per_page: int) -> CompiledPages:
    """`triage_queue` in pages, their SQL compiled once per person's access (core.pagination.CompiledPages)."""
    return CompiledPages(triage_queue, user, values={}, per_page=per_page, key=access.scope_key(user))


def referrals_made_by(user: Any) -> QuerySet[Referral]:
    """The person's own referrals that they may still see, drafts first, then the most recent."""
    return (
        visible_referrals(user)
        .filter(referrer=user)
        .select_related("child", "referring_yjs", "decided_by")
        .order_by("-updated_at", "-pk")
    )


def days_waiting(referral: Referral, today: dt.date | None = None) -> int | None:
    """Whole days since submission, counted in local dates like days_to_decision."""
    if referral.submitted_at is None:
        return None
    today = today or timezone.localdate()
    return (today - timezone.localdate(referral.submitted_at)).days


def clinicians_covering(yjs: Agency, role: str) -> QuerySet[User]:
    """The active psychologists or senior practitioners who cover a service, for allocation."""
    return (
        User.objects.filter(
            is_active=True,
            coverage__yjs=yjs,
            memberships__role=role,
            memberships__is_active=True,
            memberships__agency__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def possible_duplicates(
    *, given_name: str, family_name: str, date_of_birth: Any, reference: str = ""
) -> QuerySet[Child]:
    """Children who may be this child: close names and a near date of birth (cases.selectors.matching:
    spelt or sounding alike, day and month swapped, one digit different), or the same reference.
    Records merged into another are left out: their child lives on in the surviving record."""
    same_person = _same_name_and_birth(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth)
    if reference.strip():
        same_person |= Q(reference__iexact=reference.strip())
    return Child.objects.filter(same_person, merged_into__isnull=True)


def _same_name_and_birth(*, given_name: str, family_name: str, date_of_birth: Any) -> Q:
    return matching.near_duplicate(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth)


def children_visible_to(user: Any) -> QuerySet[Child]:
    """Children the person may see: through a case or a referral they may see."""
    case_children = access.visible_cases(user).values("child_id")
    referral_children = visible_referrals(user).values("child_id")
    return Child.objects.filter(Q(pk__in=case_children) | Q(pk__in=referral_children))


@dataclass(frozen=True)
class DuplicateCheck:
    """What a referrer may be told about children who may already have a record.

    `known` holds the matches the person may see (with their open case and referral in progress,
    as far as the person may see those); `elsewhere` only says that some other match exists.
    """

    known: Sequence[Child]
    elsewhere: bool

    @property
    def found(self) -> bool:
        return bool(self.known) or self.elsewhere


def duplicate_check(
    user: Any, *, given_name: str, family_name: str, date_of_birth: dt.date, reference: str = ""
) -> DuplicateCheck:
    """Look for this child before a new record is made, telling the person only what they may see.

    Children the person may see are offered when the name and date of birth (or near versions of them:
    `possible_duplicates`) or the reference match. Elsewhere only the name and date of birth count: a
    reference alone gets the same answer as no match, so references cannot be tried one by one to learn
    what other services hold. Every match is written to the access log as a search, each hint included:
    the ECM team can then find the record a referrer was routed to them about, though the referrer never
    sees it.
    """
    matches = possible_duplicates(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, reference=reference
    )
    visible_children = children_visible_to(user)
    open_cases = access.visible_cases(user).filter(child=OuterRef("pk"), status=CaseStatus.OPEN)
    in_progress = visible_referrals(user).filter(
        child=OuterRef("pk"), status__in=(ReferralStatus.DRAFT, ReferralStatus.SUBMITTED)
    )
    known = list(
        matches.filter(pk__in=visible_children)
        .annotate(
            open_case_id=Subquery(open_cases.order_by("-opened_at").values("pk")[:1]),
            referral_in_progress_id=Subquery(in_progress.order_by("-created_at").values("pk")[:1]),
        )
        .order_by("family_name", "given_name", "pk")
    )
    hidden_ids = list(
        Child.objects.filter(
            _same_name_and_birth(given_name=given_name, family_name=family_name, date_of_birth=date_of_birth),
            merged_into__isnull=True,
        )
        .exclude(pk__in=visible_children)
        .values_list("pk", flat=True)
    )
    for child in known:
        access_event_record(
            user=user,
            action=AccessAction.SEARCH,
            record_type="child",
            record_id=child.pk,
            description="duplicate check",
        )
    for child_id in hidden_ids:
        # The hint given: which record it was about (for the ECM team), nothing of the record itself.
        access_event_record(
            user=user,
            action=AccessAction.SEARCH,
            record_type="child",
            record_id=child_id,
            description="duplicate check: hinted at a possible match in another service, not shown",
        )
    return DuplicateCheck(known=known, elsewhere=bool(hidden_ids))


def open_case_for(child: Child) -> Case | None:
    return child.cases.filter(status="open").first()
