"""The overview's at-a-glance row ("3 documents"), registered as a case section (cases/sections.py) that shows
nothing on its sub-page: the documents have their own page (views.document_list)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef
from django.urls import reverse

from case_documents.models import CaseDocument
from cases import access
from cases.sections import DETAILS, CaseSection, Glance, compiled_facts, count_of, register


def documents_facts(user: Any, case: Any, caps: Any) -> dict[str, Any]:
    if not caps.full_record:
        return {}
    return compiled_facts(_documents_facts, tuple(sorted(access.visible_document_categories(user, case))))


def _documents_facts(categories: tuple[str, ...]) -> dict[str, Any]:
    return {"documents": count_of(CaseDocument.objects.filter(case=OuterRef("pk"), category__in=categories))}


def documents_glance(user: Any, case: Any, caps: Any, facts: Mapping[str, Any]) -> list[Glance]:
    if not caps.full_record or "documents" not in facts:
        return []
    count = int(facts["documents"])
    value = "None yet" if count == 0 else f"{count} document{'' if count == 1 else 's'}"
    return [Glance("Documents", value, href=reverse("case_documents:list", kwargs={"case_id": case.pk}))]


def _no_section(user: Any, case: Any, caps: Any, facts: Any = None) -> None:
    return None


def register_section() -> None:
    register(
        CaseSection(
            "case-documents",
            90,
            "case_documents/document_list.html",  # never rendered: the context is always None
            _no_section,
            documents_facts,
            page=DETAILS,
            glance=documents_glance,
        )
    )
