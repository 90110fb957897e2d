"""Reads of referrals: the triage queue, a service's referrals, and duplicate detection."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cases import access
from cases.models import Case, Child
from referrals.models import Referral, ReferralStatus


def visible_referrals(user: Any) -> QuerySet[Referral]:
    """Every referral the person may see, as one query (drafts only to the referring service)."""
    return access.visible(user, Referral.objects.all(), access.REFERRAL_SCOPE)


def get_referral_for(user: Any, referral_id: int | str, action: str) -> Referral:
    """One referral for an action, through the access module (404 invisible, 403 forbidden, logged)."""
    records = Referral.objects.select_related("child", "referring_yjs", "referrer", "decided_by", "case")
    return access.get_for(user, records, referral_id, action, access.REFERRAL_SCOPE)


def triage_queue(user: Any) -> QuerySet[Referral]:
    """Submitted referrals waiting for the person's decision, longest waiting first."""
    return (
        access.records_for(user, Referral.objects.all(), "triage_referral", access.REFERRAL_SCOPE)
        .filter(status=ReferralStatus.SUBMITTED)
        .select_related("child", "referring_yjs", "referrer")
        .order_by("submitted_at", "pk")
    )


def possible_duplicates(
    *, given_name: str, family_name: str, date_of_birth: Any, reference: str = ""
) -> QuerySet[Child]:
    """Children who may be this child: the same name and date of birth, or the same reference."""
    same_person = Q(
        given_name__iexact=given_name.strip(), family_name__iexact=family_name.strip(), date_of_birth=date_of_birth
    )
    if reference.strip():
        same_person |= Q(reference__iexact=reference.strip())
    return Child.objects.filter(same_person)


def children_visible_to(user: Any) -> QuerySet[Child]:
    """Children the person may see: through a case or a referral they may see."""
    case_children = access.visible_cases(user).values("child_id")
    referral_children = visible_referrals(user).values("child_id")
    return Child.objects.filter(Q(pk__in=case_children) | Q(pk__in=referral_children))


def open_case_for(child: Child) -> Case | None:
    return child.cases.filter(status="open").first()
