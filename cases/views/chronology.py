"""The chronology: one timeline of everything on the case, filtered to what the person may see, then to the
filters they chose; significant events marked; printed, or made into a PDF by the document pipeline."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access, documents, selectors, services
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.forms import ChronologyFilterForm
from cases.models import CaseEvent
from cases.selectors import ChronologyFilters
from core.documents.services import document_retry
from core.documents.views import document_download_response, document_retry_response, document_status_response
from core.http import SignedInRequest
from core.pagination import PAGE_SIZE, keyset_paginate

MARK_FORM = "mark-significant"


def _filter_query(query: QueryDict) -> str:
    """The filters of a query string alone (no cursor, nothing else), encoded again: where to go back to."""
    kept = QueryDict(mutable=True)
    for name in sorted(ChronologyFilterForm.PARAMETERS & set(query.keys())):
        kept.setlist(name, query.getlist(name)[:20])
    return kept.urlencode()


def _chronology_url(case_id: int, query: str = "", anchor: str = "") -> str:
    url = reverse("cases:chronology", args=[case_id])
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


@functools.cache
def _unfiltered_form() -> str:
    """The filter form when nothing is filtered: the same for every case and person (it has no action and no
    values), so rendered once per process. Rendering its fields and the kinds' checkboxes was 1.1 ms of every
    chronology page (issue 14)."""
    return render_to_string("cases/includes/chronology_filters.html", {"form": ChronologyFilterForm()})


@login_required
@require_GET
def chronology(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Newest first, 50 at a time (newer, older), filtered by date range, words, kind and significance;
    lines the person may not see are left out in the query, so no filter can find them."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    caps = case_capabilities(request.user, case)
    # Unfiltered (the page most read), no form is made: its HTML is the same for everyone (`_unfiltered_form`).
    form = ChronologyFilterForm(request.GET) if ChronologyFilterForm.filtered(request.GET) else None
    filters = form.filters() if form is not None else ChronologyFilters()

    def events() -> QuerySet[CaseEvent]:
        return selectors.chronology(user=request.user, case=case, filters=filters)

    # The count and the newest lines (the page most read) from compiled SQL; older and newer pages from `events`.
    compiled = selectors.chronology_pages(user=request.user, case=case, filters=filters, per_page=PAGE_SIZE + 1)
    query = _filter_query(request.GET)
    context = {
        "case": case,
        "caps": caps,
        "form": form,
        "unfiltered_form": "" if form is not None else _unfiltered_form(),
        "filters": filters,
        "kinds": filters.kinds,
        "filter_query": query,
        "mark_form": MARK_FORM if caps.log_contact else "",
        "total": compiled.count(),
        "pdfs": [
            documents.chronology_document_progress(d) for d in documents.chronology_documents_for(request.user, case)
        ],
        **keyset_paginate(request, events, field="occurred_at", newest=lambda rows: compiled[0:rows]),
    }
    context["lines"] = selectors.link_events(case=case, events=context["page_obj"].object_list, partners=True)
    return render(request, "cases/chronology.html", context)


@login_required
@require_POST
def chronology_significant(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Mark one line as a significant event (`mark=<id>`) or take the mark off (`unmark=<id>`); back to the
    same place in the same filtered chronology. A contact's line marks its contact too."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    chosen = request.POST.get("mark") or request.POST.get("unmark") or ""
    if not chosen.isdigit():
        return HttpResponseBadRequest("Choose the entry to mark as significant.")
    significant = "mark" in request.POST
    event = get_object_or_404(selectors.chronology(user=request.user, case=case), pk=int(chosen))
    back = _chronology_url(case.pk, _filter_query(QueryDict(request.POST.get("filters", ""))), f"event-{event.pk}")
    try:
        services.event_mark_significant(event=event, actor=request.user, significant=significant)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        done = "marked as a significant event" if significant else "no longer marked as significant"
        messages.success(request, f"\u201c{event.summary}\u201d is {done}")
    return redirect(back)


@login_required
@require_POST
def chronology_pdf(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Ask for a PDF of the chronology as filtered (the filters come in the query string, as on the page);
    back to the page to watch it made."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    form = ChronologyFilterForm.from_query(request.GET)
    query = _filter_query(request.GET)
    if form.is_bound and not form.is_valid():
        return redirect(_chronology_url(case.pk, query))
    documents.chronology_document_request(user=request.user, case=case, filters=form.filters())
    messages.success(request, "The PDF of the chronology is being made: it will be ready to download below in a moment")
    return redirect(_chronology_url(case.pk, query, "pdfs"))


@login_required
@require_GET
def chronology_pdf_status(request: SignedInRequest, case_id: int, pdf_id: int) -> JsonResponse:
    """Where the PDF's job is, as JSON for static/ecm/document_progress.js."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    document = documents.chronology_document_for(request.user, case, pdf_id)
    return document_status_response(request, documents.chronology_document_progress(document))


@login_required
@require_GET
def chronology_pdf_download(request: SignedInRequest, case_id: int, pdf_id: int) -> FileResponse:
    """The stored PDF; the download is in the access log."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    document = documents.chronology_document_for(request.user, case, pdf_id)
    return document_download_response(
        request,
        documents.CHRONOLOGY,
        document,
        log_download=lambda: access_event_record(
            user=request.user,
            action=AccessAction.DOWNLOAD,
            record_type=documents.RECORD_TYPE,
            record_id=document.pk,
            case_id=case.pk,
            description="chronology PDF",
        ),
    )


@login_required
@require_POST
def chronology_pdf_retry(request: SignedInRequest, case_id: int, pdf_id: int) -> HttpResponse:
    """Make a failed PDF again, then back to the chronology."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    document = documents.chronology_document_for(request.user, case, pdf_id)
    return document_retry_response(
        request,
        lambda: document_retry(documents.CHRONOLOGY, document, actor=request.user),
        made_again="The PDF of the chronology is being made again",
        back_to=_chronology_url(case.pk, anchor="pdfs"),
    )
