"""The PDF of a case's chronology as one person filtered it: asked for on the chronology page, made by the
document pipeline, downloaded.

`chronology_document_request` writes a row ("queued") with the page's filters and sends it to the render job
once committed; the job prints the lines the requester may see when it runs (the same query as the page:
cases.selectors.chronology), oldest first. Every page is headed with the child's initials and the case number,
never the child's name. The PDF is its requester's alone (what it shows follows from what they may see), while
they may still read the chronology. The lifecycle, the job, the resend sweep and the progress block are
core/documents/'s; this module supplies what differs (`CHRONOLOGY_KIND`, registered in cases/apps.py).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, User
from cases import access
from cases.access import Action
from cases.models import Case, ChronologyDocument
from cases.selectors import ChronologyFilters, chronology, link_events
from core.db import compiled_query
from core.documents.progress import DocumentLinks, DocumentProgress, document_progress
from core.documents.registry import DocumentKindSpec
from core.documents.rendering import DocumentNotRenderable
from core.documents.services import documents_send_on_commit

RECORD_TYPE = "chronology"
# What the render job is sent (core.documents.tasks.render_document).
CHRONOLOGY = "cases.chronology"
TEMPLATE = "pdf/chronology.html"
# The most lines one PDF prints (the newest of them, ~40 pages): narrower filters print the rest.
MOST_LINES = 1000
# The PDFs shown on the chronology page: the person's latest few for the case.
SHOWN_ON_THE_PAGE = 3


def _filters_of(document: ChronologyDocument) -> ChronologyFilters:
    return ChronologyFilters(
        kinds=tuple(document.kinds),
        date_from=document.date_from,
        date_to=document.date_to,
        search=document.search,
        significant_only=document.significant_only,
    )


# --- Writes ----------------------------------------------------------------------------------------


def chronology_document_request(*, user: User, case: Case, filters: ChronologyFilters) -> ChronologyDocument:
    """Write down a PDF of the chronology as filtered, log the export, and send it to the job once committed.

    `case` comes through the access module (the person may read its chronology)."""
    with transaction.atomic(), acting_as(user):
        document = ChronologyDocument.objects.create(
            case=case,
            requested_by=user,
            date_from=filters.date_from,
            date_to=filters.date_to,
            search=filters.search,
            kinds=list(filters.kinds),
            significant_only=filters.significant_only,
        )
        access_event_record(
            user=user,
            action=AccessAction.EXPORT,
            record_type=RECORD_TYPE,
            record_id=document.pk,
            case_id=case.pk,
            description=f"chronology PDF asked for: {filters.description or 'everything'}",
        )
        documents_send_on_commit(CHRONOLOGY, [document.pk])
    return document


# --- What the print template shows -----------------------------------------------------------------


def initials_of(case: Case) -> str:
    """The child's initials as the PDFs write them: "K.B."."""
    return ".".join(case.child.initials) + "."


def chronology_pdf_context(document: ChronologyDocument) -> dict[str, Any]:
    """The lines the requester may see now, as filtered, oldest first (the newest MOST_LINES if there are more)."""
    user, case = document.requested_by, Case.objects.select_related("child", "owning_yjs").get(pk=document.case_id)
    if not user.is_active or not access.may(user, Action.VIEW_SUMMARY, case):
        raise DocumentNotRenderable("The person who asked for it may no longer read this chronology.")
    filters = _filters_of(document)
    events = chronology(user=user, case=case, filters=filters)
    total = events.count()
    lines = link_events(case=case, events=events[:MOST_LINES], partners=True)[::-1]
    initials = initials_of(case)
    return {
        "case": case,
        "initials": initials,
        "running_header": f"{initials} · ECM case {case.pk}",
        "events": lines,
        "total": total,
        "shown": len(lines),
        "filters": filters.description,
        "requested_by": user,
        "printed_at": timezone.localtime(document.requested_at),
    }


def chronology_document_filename(document: ChronologyDocument) -> str:
    """The case number and the day it was asked for, never the child's name."""
    return f"ecm-case-{document.case_id}-chronology-{timezone.localdate(document.requested_at):%Y-%m-%d}.pdf"


# --- Reads for the pages ---------------------------------------------------------------------------


def chronology_documents_for(user: Any, case: Case) -> list[ChronologyDocument]:
    """The person's latest chronology PDFs of this case, newest first (SQL compiled once: asked on every view of the
    chronology)."""
    return compiled_query(_latest_documents).fetch(case=case.pk, user=user.pk)


def _latest_documents(*, case: int, user: int) -> QuerySet[ChronologyDocument]:
    documents = ChronologyDocument.objects.filter(case=case, requested_by=user).order_by("-requested_at", "-pk")
    return documents[:SHOWN_ON_THE_PAGE]


def chronology_document_for(user: Any, case: Case, document_id: int) -> ChronologyDocument:
    """One of the person's own chronology PDFs of this case (`case` through the access module), or 404."""
    document = ChronologyDocument.objects.filter(pk=document_id, case=case, requested_by=user).first()
    if document is None:
        raise Http404("No such PDF")
    return document


def chronology_document_progress(document: ChronologyDocument) -> DocumentProgress:
    """One PDF as the progress block shows it ("Check again" reloads the chronology)."""
    args = [document.case_id, document.pk]
    asked = timezone.localtime(document.requested_at)
    filters = _filters_of(document).description
    return document_progress(
        document,
        key=f"chronology-{document.pk}",
        title=f"Chronology asked for on {asked.day} {asked:%B %Y} at {asked:%H:%M}",
        description=f"Entries {filters}." if filters else "Every entry you may see.",
        noun="chronology",
        links=DocumentLinks(
            status=reverse("cases:chronology_pdf_status", args=args),
            download=reverse("cases:chronology_pdf_download", args=args),
            check_again=reverse("cases:chronology", args=[document.case_id]) + "#pdfs",
            retry=reverse("cases:chronology_pdf_retry", args=args),
        ),
        may_retry=True,
    )


# --- The kind the document pipeline makes (registered in cases/apps.py) -----------------------------


def _may_download(user: Any, document: ChronologyDocument) -> bool:
    return document.requested_by_id == user.pk and access.may(user, Action.VIEW_SUMMARY, document.case)


CHRONOLOGY_KIND: DocumentKindSpec[ChronologyDocument] = DocumentKindSpec(
    name=CHRONOLOGY,
    model=ChronologyDocument,
    template=lambda document: TEMPLATE,
    context=chronology_pdf_context,
    filename=chronology_document_filename,
    may_download=_may_download,
    related=("requested_by", "case"),
)
