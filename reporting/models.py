"""The PDF summaries people ask for. (Who commissions which youth justice service, the commissioner's
side of the reports' scope, is accounts.Commissioning: the access module reads it.)

The figures themselves are computed on the fly from the other apps' tables (reporting/queries.py);
nothing about a child is stored here, and a summary PDF holds only suppressed aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from accounts.history import history_tracked
from core.documents.models import RenderedDocument


@history_tracked()
class SummaryDocument(RenderedDocument):
    """A PDF of the aggregate figures for one person's chosen period and services, made by the document
    pipeline (core/documents/).

    Only the person who asked sees it: what it covers follows from what they may see. The services
    are checked again when it is made (cases.access.reportable_agencies), so a PDF never covers a
    service its reader has lost.
    """

    file_directory = "reporting/summaries/"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    start = models.DateField()
    end = models.DateField()
    # The services chosen; empty means every service the person may see.
    agency_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="summary_document_latest")]
        # The role layer of the aggregate reports (accounts/roles.py); the agencies come from
        # cases.access.reportable_agencies. (It was declared on Commissioning, now in accounts.)
        permissions = [("read_aggregate_reports", "Read aggregate reports of the services in scope")]

    def __str__(self) -> str:
        return f"Summary of {self.start} to {self.end} for {self.requested_by_id}"
