"""Data rights: the requests a person makes about what ECM holds on a child. Subject access requests first.

A subject access request (SAR) names one child, who asked and when; it is answered with everything ECM
holds about that child, across every agency, as a JSON file and a PDF pack. The pack is gathered once,
when the request is started (data_rights/selectors.py), and kept with the request: the JSON and the PDF
always show the same thing, and what was disclosed can be shown later.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from accounts.history import history_tracked
from cases.models import Child
from core.documents.models import RenderedDocument


class Requester(models.TextChoices):
    """Who made the request: the child, or someone acting for them."""

    CHILD = "child", "The child or young person"
    PARENT = "parent", "A parent or carer"
    SOLICITOR = "solicitor", "A solicitor"
    ADVOCATE = "advocate", "An advocate or social worker acting for the child"
    OTHER = "other", "Someone else, with the child's authority"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESPONDED = "responded", "Responded"


# The pack (the JSON and what the PDF prints) is kept with the request, not copied into its history:
# the history keeps who changed the request and when, the pack is written once and never changed.
@history_tracked(exclude=["pack_json"])
class SubjectAccessRequest(models.Model):
    """One subject access request about one child, due one calendar month after it was received."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="subject_access_requests")
    reference = models.CharField("Request reference", max_length=100)
    requester = models.CharField("Who made the request", max_length=20, choices=Requester.choices)
    requester_name = models.CharField("Their name", max_length=200)
    received_on = models.DateField("Date the request was received")
    due_on = models.DateField("Response due by")
    notes = models.TextField("What was asked for, and how identity was checked", blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    # Everything held about the child when the request was started (schema: data_rights/pack_schema.py), as the
    # JSON file's exact text: PostgreSQL's jsonb would reorder the keys, and the file is what was disclosed.
    pack_json = models.TextField(blank=True)
    pack_sha256 = models.CharField("SHA-256 of the JSON file", max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        # The list: open requests first, soonest due first.
        ordering = ["status", "due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="sar_status_due")]
        permissions = [
            (
                "handle_subject_access_request",
                "Start subject access requests and export everything held about a child, across agencies",
            )
        ]

    def __str__(self) -> str:
        return f"Subject access request {self.pk} ({self.reference})"

    def get_absolute_url(self) -> str:
        return reverse("data_rights:sar_detail", args=[self.pk])

    @cached_property
    def pack(self) -> dict[str, Any]:
        """The pack, read from its JSON text (an empty dict before it is gathered)."""
        return json.loads(self.pack_json) if self.pack_json else {}

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN


@history_tracked()
class SubjectAccessDocument(RenderedDocument):
    """The PDF pack of a subject access request, made by the document pipeline (core/documents/)."""

    file_directory = "data_rights/subject_access/"

    request = models.OneToOneField(SubjectAccessRequest, on_delete=models.CASCADE, related_name="document")

    def __str__(self) -> str:
        return f"PDF pack of subject access request {self.request_id}"


# Retention (issue 15): the rules are in data_rights/retention.py, the writes in data_rights/services.py.


class RetentionStatus(models.TextChoices):
    DUE = "due", "Due for review"
    KEPT = "kept", "Kept for now"
    ANONYMISED = "anonymised", "Anonymised"


@history_tracked()
class RetentionReview(models.Model):
    """One closed case due for retention review on one date, and what was decided: kept (with a reason and the
    next review date, when it is listed again) or anonymised. The monthly job writes the due rows."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="retention_reviews")
    due_on = models.DateField("Due for review on")
    status = models.CharField(max_length=20, choices=RetentionStatus.choices, default=RetentionStatus.DUE)
    reason = models.TextField("Why it is kept", blank=True)
    next_review_on = models.DateField("Next review", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "due_on"], name="retention_review_once")]
        indexes = [models.Index(fields=["status", "due_on"], name="retention_status_due")]
        permissions = [
            ("handle_retention", "Review closed cases for retention: keep, place legal holds, anonymise"),
        ]

    def __str__(self) -> str:
        return f"Retention review of case {self.case_id} due {self.due_on}"

    def get_absolute_url(self) -> str:
        return reverse("data_rights:retention_detail", args=[self.pk])


@history_tracked()
class LegalHold(models.Model):
    """A legal hold on one case: while it is in place (not lifted) the case cannot be anonymised."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.TextField("Why the record must be kept")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lift_reason = models.TextField("Why the hold is lifted", blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(lifted_at__isnull=True), name="legal_hold_one_in_place"
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold on case {self.case_id}"
