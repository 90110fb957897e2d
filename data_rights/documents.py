"""The PDF pack of a subject access request: asked for when the request is started, made by the document
pipeline, downloaded by those who handle requests.

It prints the request's pack (data_rights/selectors.py), as gathered when the request was started, so the
PDF and the JSON file always hold the same thing. The child is named on the first page only; every page is
headed with the child's initials and the request's number. The lifecycle, the job, the resend sweep and
the progress block are core/documents/'s; this module supplies what differs (`SUBJECT_ACCESS_PACK_KIND`,
registered in data_rights/apps.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core.documents.progress import DocumentLinks, DocumentProgress, document_progress
from core.documents.registry import DocumentKindSpec
from core.documents.rendering import DocumentNotRenderable
from data_rights.capabilities import may_handle_subject_access_requests
from data_rights.models import SubjectAccessDocument, SubjectAccessRequest
from data_rights.pack_schema import SECTIONS, pack_problems
from data_rights.services import SUBJECT_ACCESS_PACK

TEMPLATE = "pdf/subject_access_pack.html"
DESCRIPTION = "Everything held about the child, section by section, as gathered when the request was started."


def subject_access_document_of(request: SubjectAccessRequest) -> SubjectAccessDocument:
    """The request's PDF pack, or 404."""
    document = SubjectAccessDocument.objects.filter(request=request).first()
    if document is None:
        raise Http404("No such document")
    return document


def subject_access_document_filename(document: SubjectAccessDocument) -> str:
    """The request's number, never the child's name."""
    return f"ecm-subject-access-request-{document.request_id}.pdf"


# Sections printed as one table (many short lines); the others print each record as its own small table.
TABLE_SECTIONS = {
    "chronology": ("occurred_at", "kind", "summary", "by"),
    "access_events": ("at", "who", "what", "from"),
    "redaction_review": ("name", "section", "record_id", "field", "excerpt"),
}
# Fields shown in the heading of each record rather than in its table.
_HEADING_FIELDS = frozenset({"id", "restricted"})
LABELS = {
    "id": "Id",
    "case_id": "ECM case",
    "with_whom": "With whom",
    "childs_views": "The child's views",
    "trm_stage": "TRM stage",
    "final_trm_stage": "Final TRM stage",
    "may_see_summary": "May see the shared summary",
    "from": "From (IP address)",
    "record_id": "Record",
}


def _label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " ").capitalize())


def _text(value: Any, field: str = "") -> str:
    """One value as printed: dates in words, yes or no, a dash for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and (field.endswith(("_at", "_on", "_from")) or field in {"at", "date_of_birth"}):
        try:
            if "T" in value:
                moment = timezone.localtime(dt.datetime.fromisoformat(value))
                return f"{moment.day} {moment:%B %Y, %H:%M}"
            day = dt.date.fromisoformat(value)
            return f"{day.day} {day:%B %Y}"
        except ValueError:
            return value
    if isinstance(value, list):
        return "; ".join(_text(inner) for inner in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(key)}: {_text(inner, key)}" for key, inner in value.items() if key != "id")
    return str(value)


def _rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    """A record's fields as label and text; a list of records inside it (corrections, invitations) as lines."""
    rows: list[dict[str, Any]] = []
    for field, value in item.items():
        if field in _HEADING_FIELDS:
            continue
        if field == "content":  # a formulation report's sections, each under its own heading
            rows.extend({"label": part["heading"], "text": _text(part["text"]), "lines": []} for part in value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            rows.append({"label": _label(field), "text": "", "lines": [_text(inner) for inner in value]})
        else:
            rows.append({"label": _label(field), "text": _text(value, field), "lines": []})
    return rows


def _printed_section(key: str, title: str, description: str, content: Any) -> dict[str, Any]:
    items = [content] if isinstance(content, dict) else content
    if key in TABLE_SECTIONS:
        columns = TABLE_SECTIONS[key]
        return {
            "key": key,
            "title": title,
            "description": description,
            "columns": [_label(column) for column in columns],
            "lines": [[_text(item.get(column), column) for column in columns] for item in items],
            "records": [],
        }
    return {
        "key": key,
        "title": title,
        "description": description,
        "columns": [],
        "lines": [],
        "records": [
            {
                "heading": f"{title} · record {item['id']}" if "id" in item else title,
                "restricted": bool(item.get("restricted")),
                "rows": _rows(item),
            }
            for item in items
        ],
    }


def subject_access_pdf_context(request: SubjectAccessRequest) -> dict[str, Any]:
    """What the print template shows: the request, then every section of its pack, as gathered."""
    pack = request.pack
    if not pack or pack_problems(pack):
        raise DocumentNotRenderable("The request's pack is missing or does not match its schema.")
    child = pack["sections"]["child"]
    initials = f"{child['given_name'][:1]}.{child['family_name'][:1]}.".upper()
    printed = [
        _printed_section(section.key, section.title, section.description, pack["sections"][section.key])
        for section in SECTIONS
    ]
    return {
        "request": request,
        "child": child,
        "born": _text(child["date_of_birth"], "date_of_birth"),
        "generated": _text(pack["generated_at"], "generated_at"),
        "schema_version": pack["schema_version"],
        "restricted_contacts": pack["restricted_contacts"],
        "contents": [{**entry, "number": number} for number, entry in enumerate(pack["contents"], start=1)],
        "sections": printed,
        "running_header": f"{initials} · Subject access request {request.pk}",
        "printed_on": timezone.localdate(),
    }


def subject_access_document_progress(document: SubjectAccessDocument, *, may_retry: bool) -> DocumentProgress:
    """The PDF pack as the progress block shows it ("Check again" reloads the request's page)."""
    args = [document.request_id]
    return document_progress(
        document,
        key=f"sar-{document.request_id}",
        title="PDF pack",
        description=DESCRIPTION,
        noun="PDF pack",
        links=DocumentLinks(
            status=reverse("data_rights:sar_pdf_status", args=args),
            download=reverse("data_rights:sar_pdf_download", args=args),
            check_again=reverse("data_rights:sar_detail", args=args),
            retry=reverse("data_rights:sar_pdf_retry", args=args),
        ),
        may_retry=may_retry,
    )


SUBJECT_ACCESS_PACK_KIND: DocumentKindSpec[SubjectAccessDocument] = DocumentKindSpec(
    name=SUBJECT_ACCESS_PACK,
    model=SubjectAccessDocument,
    template=lambda document: TEMPLATE,
    context=lambda document: subject_access_pdf_context(document.request),
    filename=subject_access_document_filename,
    may_download=lambda user, document: may_handle_subject_access_requests(user),
    related=("request",),
)
