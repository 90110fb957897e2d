"""The aggregate reports: the dashboard, its CSV and its PDF summary. Never a child: every figure is a
suppressed aggregate.

Who may see which services is the access module's answer (`cases.access.reportable_agencies`);
case managers, ECM clinicians and commissioners may read reports, everyone else gets 403. Each
dashboard view is logged as a view of the aggregate report, each CSV and each summary PDF asked
for as an export, each PDF downloaded as a download. A summary PDF is its requester's alone: anyone
else's answers 404.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from core.documents.services import document_retry
from core.documents.views import document_download_response, document_retry_response, document_status_response
from core.http import SignedInRequest
from reporting import comparison, documents
from reporting.csv_export import report_csv
from reporting.forms import ReportFilterForm
from reporting.headline import KEY_FIGURES, headline_figures
from reporting.report_cache import cached_report, cached_reports, reports_compared
from reporting.scope import ReportScope, default_period, reportable_services
from reporting.suppression import MARKS

RECORD_TYPE = "aggregate report"
FILTER_FIELDS = ("start_day", "start_month", "start_year", "end_day", "end_month", "end_year", "agencies", "compare")


def _scope_and_form(request: SignedInRequest, data: QueryDict | None = None) -> tuple[ReportScope, ReportFilterForm]:
    """The scope asked for (the query string, or a form's fields), within the services the person may see.

    403 for those who may not read reports. The services chosen are kept on the scope's form.
    """
    if not access.may_read_aggregate_reports(request.user):
        raise PermissionDenied("Reports are for case managers, ECM clinicians and commissioners.")
    data = request.GET if data is None else data
    today = timezone.localdate()
    allowed = reportable_services(request.user)
    period = default_period(today)
    submitted = any(name in data for name in FILTER_FIELDS)
    form = ReportFilterForm(
        data if submitted else None,
        allowed=allowed,
        default_period=period,
        initial={"start": period[0], "end": period[1]},
    )
    start, end = period
    chosen: list[Any] = []
    if submitted and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        chosen = list(form.cleaned_data["agencies"])
    form.chosen_ids = [agency.pk for agency in chosen]
    agencies = tuple(chosen or form.allowed)
    return ReportScope(start=start, end=end, agencies=agencies, today=today), form


def _log(request: SignedInRequest, action: str, scope: ReportScope, what: str) -> None:
    access_event_record(
        user=request.user,
        action=action,
        record_type=RECORD_TYPE,
        description=f"{what}: {scope.period_text}; {scope.agencies_text}",
    )


@login_required
@require_GET
def dashboard(request: SignedInRequest) -> HttpResponse:
    """The key figures with their change and trend, then every figure for the chosen period and services, as
    charts and tables, compared with an earlier period or service by service (reporting/comparison.py)."""
    scope, form = _scope_and_form(request)
    kind = comparison.DEFAULT
    if form.is_bound and not form.errors:
        kind = form.cleaned_data.get("compare") or comparison.DEFAULT
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "query": request.GET.urlencode() if not form.errors else "",
        "marks": MARKS,
        "report": None,
        "chosen_ids": form.chosen_ids,
        "compare": kind,
        "summaries": [
            documents.summary_document_progress(document) for document in documents.summary_documents_for(request.user)
        ],
    }
    if not form.errors:
        earlier_scope = comparison.comparison_scope(scope, kind)
        report, earlier = reports_compared(scope, earlier_scope)
        when = comparison.period_words(kind)
        context.update(
            report=report,
            earlier_scope=earlier_scope,
            when=when,
            headline=headline_figures(report, earlier, when=when),
            views=comparison.figure_views(report, earlier, when=when),
        )
        what = "dashboard"
        if earlier_scope is not None:
            what = f"dashboard, compared with {earlier_scope.period_text}"
        if kind == comparison.SERVICES:
            if len(scope.agencies) > comparison.MOST_SIDE_BY_SIDE:
                context["side_by_side"] = comparison.SideBySide(services=[], too_many=True)
            elif len(scope.agencies) > 1:
                parts = list(
                    zip(
                        scope.agencies,
                        cached_reports([dataclasses.replace(scope, agencies=(agency,)) for agency in scope.agencies]),
                        strict=True,
                    )
                )
                context["side_by_side"] = comparison.side_by_side(
                    report, parts, [(spec.key, spec.label) for spec in KEY_FIGURES]
                )
                what = "dashboard, services side by side"
        _log(request, AccessAction.VIEW, scope, what)
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_GET
def figures_csv(request: SignedInRequest) -> HttpResponse:
    """The dashboard's tables as CSV (the filters ask again on the page when they do not make sense)."""
    scope, form = _scope_and_form(request)
    if form.errors:
        return redirect(f"{reverse('reporting:dashboard')}?{request.GET.urlencode()}")
    report = cached_report(scope)
    _log(request, AccessAction.EXPORT, scope, "figures CSV")
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    filename = f"ecm-figures-{scope.start:%Y-%m-%d}-to-{scope.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def summary_request(request: SignedInRequest) -> HttpResponse:
    """Ask for a PDF summary of the figures for the chosen period and services; back to the page to watch it made."""
    scope, form = _scope_and_form(request, request.POST)
    query = request.POST.copy()
    query.pop("csrfmiddlewaretoken", None)
    dashboard_url = reverse("reporting:dashboard") + (f"?{query.urlencode()}" if query else "")
    if form.errors:
        return redirect(dashboard_url)
    documents.summary_document_request(user=request.user, start=scope.start, end=scope.end, agency_ids=form.chosen_ids)
    messages.success(request, "The PDF summary is being made: it will be ready to download below in a moment")
    return redirect(dashboard_url + "#summaries")


@login_required
@require_GET
def summary_status(request: SignedInRequest, document_id: int) -> JsonResponse:
    """Where the summary's job is, as JSON for static/ecm/document_progress.js."""
    document = documents.summary_document_for(request.user, document_id)
    return document_status_response(request, documents.summary_document_progress(document))


@login_required
@require_GET
def summary_download(request: SignedInRequest, document_id: int) -> FileResponse:
    """The stored summary PDF; the download is in the access log."""
    document = documents.summary_document_for(request.user, document_id)
    return document_download_response(
        request,
        documents.SUMMARY,
        document,
        log_download=lambda: access_event_record(
            user=request.user,
            action=AccessAction.DOWNLOAD,
            record_type=RECORD_TYPE,
            record_id=document.pk,
            description=f"summary PDF: {document.start:%d/%m/%Y} to {document.end:%d/%m/%Y}",
        ),
    )


@login_required
@require_POST
def summary_retry(request: SignedInRequest, document_id: int) -> HttpResponse:
    """Make a failed summary again, then back to the reports page."""
    document = documents.summary_document_for(request.user, document_id)
    return document_retry_response(
        request,
        lambda: document_retry(documents.SUMMARY, document, actor=request.user),
        made_again="The PDF summary is being made again",
        back_to=reverse("reporting:dashboard") + "#summaries",
    )
