"""The transfer section of the case's details page (and of the shared summary a former service reads), registered
from CasesConfig.ready() through cases/sections.py.

For those who may change an open case: the offer waiting, or the way to offer the case to another service. For a
service the case moved away from: until when it reads the case, and the way to what it recorded. Its facts are
read with the page's one query (no query of its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Max, OuterRef, Subquery

from cases import access
from cases.access import Relation
from cases.access.former import read_until
from cases.access.standing import standing_of
from cases.capabilities import CaseCapabilities
from cases.models import Case, CaseHolding, CaseTransfer, TransferStatus
from cases.sections import compiled_facts, facts_of


def transfer_section_facts(user: Any, case: Case, caps: CaseCapabilities) -> dict[str, Any]:
    return compiled_facts(_transfer_section_facts, tuple(sorted(standing_of(user).owned_yjs)))


def _transfer_section_facts(owned_yjs: tuple[int, ...]) -> dict[str, Any]:
    pending = CaseTransfer.objects.filter(case=OuterRef("pk"), status=TransferStatus.PENDING)
    ended = (
        CaseHolding.objects.filter(case=OuterRef("pk"), agency_id__in=owned_yjs, ended_at__isnull=False)
        .order_by()
        .values("case")
        .annotate(last=Max("ended_at"))
        .values("last")
    )
    return {
        "pending_to": Subquery(pending.values("to_yjs__name")[:1]),
        "former_ended_at": Subquery(ended),
    }


def transfer_section_context(
    user: Any, case: Case, caps: CaseCapabilities, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    relations = access.relations_to(user, case)
    holding = caps.change
    former = Relation.FORMER in relations and not caps.full_record
    if not holding and not former:
        return None
    if facts is None:
        facts = facts_of(case, transfer_section_facts(user, case, caps))
    ended_at: dt.datetime | None = facts.get("former_ended_at")
    return {
        "transfer_holding": holding,
        "transfer_pending_to": facts.get("pending_to"),
        "transfer_former": former and ended_at is not None,
        "transfer_former_ended_at": ended_at,
        "transfer_read_until": read_until(ended_at) if ended_at else None,
    }
