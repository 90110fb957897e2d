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
