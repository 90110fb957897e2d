"""The figures as a second CSV download, "as on screen": the page's tables one after another.

/reports/figures.csv (reporting/views.py `figures_csv`) is the tidy table, one row per figure; this is
the old layout, each table with its title, definition and notes, for reading rather than loading.
The same scope and access as the page (the access module, through `_scope_and_form`), the same
suppressed cells, and logged as an export like the first.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import AccessAction
from core.http import SignedInRequest
from reporting.csv_export import report_as_shown_csv
from reporting.report_cache import cached_report
from reporting.views import _log, _scope_and_form


@login_required
@require_GET
def figures_as_shown_csv(request: SignedInRequest) -> HttpResponse:
    """The dashboard's tables as CSV, laid out as on the page (the filters ask again when they do not make sense)."""
    scope, form = _scope_and_form(request)
    if form.errors:
        return redirect(f"{reverse('reporting:dashboard')}?{request.GET.urlencode()}")
    report = cached_report(scope)
    _log(request, AccessAction.EXPORT, scope, "figures CSV as on screen")
    response = HttpResponse(report_as_shown_csv(report), content_type="text/csv; charset=utf-8")
    filename = f"ecm-figures-as-shown-{scope.start:%Y-%m-%d}-to-{scope.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
