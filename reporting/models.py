"""Who commissions which youth justice service (the commissioner's side of the reports' scope), and the
PDF summaries people ask for.

The figures themselves are computed on the fly from the other apps' tables (reporting/queries.py);
nothing about a child is stored here, and a summary PDF holds only suppressed aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

from accounts.history import history_tracked
from accounts.models import Agency, AgencyKind
from formulation.models import DocumentStatus


@history_tracked()
class Commissioning(models.Model):
    """A commissioning body funds ECM for a youth justice service, so its commissioners see that service's figures."""

    commissioner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="commissions")
    yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="commissioned_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commissioner_agency", "yjs"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner_agency", "yjs"], name="commissioning_unique"),
        ]
        # The role layer of the aggregate reports (accounts/roles.py); the agencies come from
        # cases.access.reportable_agencies.
        permissions = [("read_aggregate_reports", "Read aggregate reports of the services in scope")]

    def __str__(self) -> str:
        return f"{self.commissioner_agency} commissions ECM for {self.yjs}"

    def clean(self) -> None:
        if self.commissioner_agency_id and self.commissioner_agency.kind != AgencyKind.COMMISSIONER:
            raise ValidationError({"commissioner_agency": "Only a commissioning body commissions a service."})
        if self.yjs_id and self.yjs.kind != AgencyKind.YOUTH_JUSTICE:
            raise ValidationError({"yjs": "Only a youth justice service is commissioned."})


@history_tracked()
class SummaryDocument(models.Model):
    """A PDF of the aggregate figures for one person's chosen period and services, made by a Celery job.

    Only the person who asked sees it: what it covers follows from what they may see. The services
    are checked again when it is made (cases.access.reportable_agencies), so a PDF never covers a
    service its reader has lost. The fields are cases/pdf.py's, like formulation.ReportDocument's.
    """

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField()
    # The services chosen; empty means every service the person may see.
    agency_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    file = models.FileField(upload_to="reporting/summaries/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    # When a worker last claimed the job, or the resend sweep last sent it again (cases/pdf.py).
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="summary_document_latest")]

    def __str__(self) -> str:
        return f"Summary of {self.start} to {self.end} for {self.requested_by_id}"
