"""The merges section of the case's details page, registered from CasesConfig.ready() through cases/sections.py:
the merges into this case (each links to how it was done) and, for a covering senior practitioner, the way to
merge another record of the child into it. Its fact (how many merges) is read with the page's one query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from cases.capabilities import CaseCapabilities
from cases.models import Case, CaseMerge
from cases.sections import compiled_facts, facts_of
from cases.services.merges import may_merge, merges_of


def merge_section_facts(user: Any, case: Case, caps: CaseCapabilities) -> dict[str, Any]:
    return compiled_facts(_merge_section_facts)


def _merge_section_facts() -> dict[str, Any]:
    into_case = CaseMerge.objects.filter(survivor=OuterRef("pk")).order_by().values("survivor")
    counted = into_case.annotate(total=Count("pk")).values("total")
    return {"merges": Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))}


def merge_section_context(
    user: Any, case: Case, caps: CaseCapabilities, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    if not caps.full_record:
        return None
    if facts is None:
        facts = facts_of(case, merge_section_facts(user, case, caps))
    may = case.merged_into_id is None and may_merge(user, case)
    if not facts.get("merges") and not may:
        return None
    return {"merges": list(merges_of(case)) if facts.get("merges") else [], "may_merge": may}
