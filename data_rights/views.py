"""Subject access requests: the list, finding the child, starting a request, and its page with the downloads.

Every view asks data_rights.selectors for what it shows, which refuses (403, logged) anyone who may not
handle subject access requests; every download is written to the access log by data_rights.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import LIST_SUBJECT_ACCESS, access_event_record, list_view_record
from accounts.models import AccessAction
from core.documents.services import document_retry
from core.documents.views import document_download_response, document_retry_response, document_status_response
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from data_rights import documents, selectors, services
from data_rights.capabilities import RECORD_TYPE, require_subject_access_handler, subject_access_capabilities
from data_rights.deadlines import subject_access_due_on
from data_rights.forms import FindChildForm, SubjectAccessRequestForm
from data_rights.pack_schema import SECTION_TITLES


@login_required
@require_GET
def sar_list(request: SignedInRequest) -> HttpResponse:
    """Every subject access request, open ones first, soonest due first, with each one's status."""
    requests = selectors.subject_access_requests(request.user)
    page = paginate(request, requests)
    today = timezone.localdate()
    rows = [{"sar": sar, "overdue": selectors.is_overdue(sar, today=today)} for sar in page["page_obj"].object_list]
    # The list names children: one access event naming the cases of the children it showed.
    children = {row["sar"].child_id for row in rows}
    list_view_record(user=request.user, list_name=LIST_SUBJECT_ACCESS, case_ids=selectors.case_ids_of(children))
    return render(request, "data_rights/sar_list.html", {**page, "rows": rows})


@login_required
@require_GET
def sar_find(request: SignedInRequest) -> HttpResponse:
    """Find the child by their full name and date of birth (exact), then choose them to start a request."""
    require_subject_access_handler(request.user, what="find a child for a subject access request")
    searched = "given_name" in request.GET
    form = FindChildForm(request.GET if searched else None)
    children = []
    if searched and form.is_valid():
        children = selectors.children_named(**form.cleaned_data)
        # One event per child found (as the referral's duplicate check logs them), one when none is.
        found_ids: list[int | str] = [child.pk for child in children] or [""]
        for child_id in found_ids:
            access_event_record(
                user=request.user,
                action=AccessAction.SEARCH,
                record_type="child",
                record_id=child_id,
                description=f"subject access request: {len(children)} found by exact name and date of birth",
            )
    results = [{"child": child, "services": selectors.services_of(child)} for child in children]
    return render(
        request,
        "data_rights/sar_find.html",
        {"form": form, "searched": searched and form.is_valid(), "results": results},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sar_start(request: SignedInRequest, child_id: int) -> HttpResponse:
    """The request's details (reference, who asked, when it was received); saving gathers the pack."""
    child = selectors.child_for_subject_access(request.user, child_id)
    form = SubjectAccessRequestForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            sar = services.subject_access_request_start(actor=request.user, child=child, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Subject access request {sar.reference} started: everything held is gathered")
            return redirect(sar)
    received_on = form.cleaned_data.get("received_on") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "data_rights/sar_start.html",
        {
            "form": form,
            "child": child,
            "services": selectors.services_of(child),
            "due_if_today": subject_access_due_on(received_on or timezone.localdate()),
        },
    )


@login_required
@require_GET
def sar_detail(request: SignedInRequest, sar_id: int) -> HttpResponse:
    """The request: who asked, when it is due, what the pack holds, the redaction review and the downloads."""
    sar = selectors.subject_access_request_for(request.user, sar_id)
    access_event_record(
        user=request.user,
        action=AccessAction.VIEW,
        record_type=RECORD_TYPE,
        record_id=sar.pk,
        description=f"subject access request about child {sar.child_id}",
    )
    caps = subject_access_capabilities(request.user, sar)
    document = documents.subject_access_document_of(sar)
    return render(
        request,
        "data_rights/sar_detail.html",
        {
            "sar": sar,
            "caps": caps,
            "overdue": selectors.is_overdue(sar),
            "contents": sar.pack.get("contents", []),
            "restricted_contacts": sar.pack.get("restricted_contacts", 0),
            "redaction_review": [
                {**mention, "section_title": SECTION_TITLES.get(mention["section"], mention["section"])}
                for mention in sar.pack.get("sections", {}).get("redaction_review", [])
            ],
            "progress": documents.subject_access_document_progress(document, may_retry=caps.retry_pdf),
        },
    )


@login_required
@require_GET
def sar_json(request: SignedInRequest, sar_id: int) -> HttpResponse:
    """The pack as a JSON file; the download is in the access log."""
    sar = selectors.subject_access_request_for(request.user, sar_id)
    body = services.subject_access_json(request=sar, actor=request.user)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ecm-subject-access-request-{sar.pk}.json"'
    return response


@login_required
@require_GET
def sar_pdf_status(request: SignedInRequest, sar_id: int) -> JsonResponse:
    """Where the PDF pack's job is, as JSON for static/ecm/document_progress.js (polled: not logged)."""
    sar = selectors.subject_access_request_for(request.user, sar_id, with_pack=False)
    caps = subject_access_capabilities(request.user, sar)
    document = documents.subject_access_document_of(sar)
    return document_status_response(
        request, documents.subject_access_document_progress(document, may_retry=caps.retry_pdf)
    )


@login_required
@require_GET
def sar_pdf_download(request: SignedInRequest, sar_id: int) -> FileResponse:
    """The stored PDF pack, named by the request's number; the download is in the access log."""
    sar = selectors.subject_access_request_for(request.user, sar_id)
    document = documents.subject_access_document_of(sar)
    return document_download_response(
        request,
        services.SUBJECT_ACCESS_PACK,
        document,
        log_download=lambda: services.subject_access_export_record(
            request=sar, actor=request.user, action=AccessAction.DOWNLOAD, what="PDF pack"
        ),
    )


@login_required
@require_POST
def sar_pdf_retry(request: SignedInRequest, sar_id: int) -> HttpResponse:
    """Make a failed PDF pack again, then back to the request."""
    sar = selectors.subject_access_request_for(request.user, sar_id, with_pack=False)
    document = documents.subject_access_document_of(sar)
    return document_retry_response(
        request,
        lambda: document_retry(services.SUBJECT_ACCESS_PACK, document, actor=request.user),
        made_again="The PDF pack is being made again",
        back_to=sar.get_absolute_url(),
    )


@login_required
@require_POST
def sar_respond(request: SignedInRequest, sar_id: int) -> HttpResponse:
    """Record that the response was sent to the requester."""
    sar = selectors.subject_access_request_for(request.user, sar_id, with_pack=False)
    try:
        services.subject_access_request_respond(request=sar, actor=request.user)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        messages.success(request, "The response is recorded as sent")
    return redirect(sar)
