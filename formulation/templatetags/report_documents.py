"""`{% report_documents_panel report %}`: the PDFs of a report the signed-in person may download.

Used by templates/formulation/includes/report_documents.html, which the report page includes with
`report`; the documents page (formulation/document_views.py) shows the same panel.
"""

from __future__ import annotations

from typing import Any

from django import template

from formulation import documents
from formulation.models import FormulationReport, ReportStatus

register = template.Library()


@register.inclusion_tag("formulation/includes/report_documents_panel.html", takes_context=True)
def report_documents_panel(context: template.Context, report: FormulationReport) -> dict[str, Any]:
    """The progress block of each PDF this person may download (none for a report not signed off)."""
    user = context["request"].user
    signed_off = report.status == ReportStatus.SIGNED_OFF
    rows = documents.report_document_rows(user=user, report=report) if signed_off else []
    return {
        "report": report,
        "signed_off": signed_off,
        "documents": rows,
        "documents_url_args": (report.case_id, report.pk),
    }
