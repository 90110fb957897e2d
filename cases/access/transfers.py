"""Offers of a case to another youth justice service (cases.CaseTransfer): who sees and decides them.

Part of the one access module (`cases.access`). An offer belongs to the receiving service until it is
decided: its case managers and the senior practitioners covering it see it and accept or decline it. They
do not see the case itself until they accept (the offer shows the child's initials, date of birth and case
number, never the record). The offering side reaches its offers through the case (`Action.CHANGE`).
Everyone else: 404, logged as refused.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.audit import access_event_record
from accounts.models import AccessAction, Role
from cases.access.core import Action, cases_for, has_role, has_role_permission
from cases.access.standing import standing_of
from cases.models import CaseTransfer
from config.converters import record_id_or_404

DECIDE_PERMISSION = "cases.write_case_record"


def receiving_services(user: Any) -> frozenset[int]:
    """The services whose incoming offers the person sees and decides: where they are a case manager, and, for a
    senior practitioner, the services they cover."""
    if not has_role_permission(user, DECIDE_PERMISSION):
        return frozenset()
    standing = standing_of(user)
    services = set(standing.owned_yjs)
    if standing.covered_yjs and has_role(user, Role.SENIOR_PRACTITIONER):
        services |= standing.covered_yjs
    return frozenset(services)


def offers_to(user: Any) -> QuerySet[CaseTransfer]:
    """Offers made to the person's services (every status), as one query."""
    return CaseTransfer.objects.filter(to_yjs_id__in=sorted(receiving_services(user)))


def offers_from(user: Any) -> QuerySet[CaseTransfer]:
    """Offers made of the cases the person may change (every status), as one query."""
    return CaseTransfer.objects.filter(case__in=cases_for(user, Action.CHANGE).values("pk"))


def may_decide_transfer(user: Any, transfer: CaseTransfer) -> bool:
    """May the person accept or decline this offer (someone of the receiving service)?"""
    return transfer.to_yjs_id in receiving_services(user)


def get_transfer_for(user: Any, transfer_id: int | str) -> CaseTransfer:
    """An offer for its receiving service: 404 for everyone else (logged as refused); a view is logged."""
    pk = record_id_or_404(transfer_id)
    transfer = (
        offers_to(user)
        .select_related("case", "case__child", "from_yjs", "to_yjs", "offered_by", "decided_by", "new_holder")
        .filter(pk=pk)
        .first()
    )
    if transfer is None:
        if getattr(user, "is_authenticated", False):
            access_event_record(
                user=user,
                action=AccessAction.DENIED,
                record_type="case_transfer",
                record_id=pk,
                description="not visible",
            )
        raise Http404("No such offer")
    access_event_record(
        user=user,
        action=AccessAction.VIEW,
        record_type="case_transfer",
        record_id=pk,
        case_id=transfer.case_id,
        description="an offer of transfer to their service",
    )
    return transfer
