"""The abstract rendered document: a row written before any job is sent, holding the job's state and the PDF.

A concrete document (formulation.ReportDocument, reviews.ReviewDocument, reporting.SummaryDocument)
subclasses `RenderedDocument`, adds what it is a document of, and names its folder under MEDIA_ROOT
(`file_directory`). Every field below is the pipeline's (core/documents/lifecycle.py writes them).
"""

from __future__ import annotations

import posixpath
from typing import ClassVar

from django.db import models


class DocumentState(models.TextChoices):
    """Where a document's job is: the one state enum of every document (the field is `status`)."""

    QUEUED = "queued", "Waiting to start"
    RENDERING = "rendering", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def document_upload_to(document: RenderedDocument, filename: str) -> str:
    """Where the PDF is stored: the concrete model's folder, then the kind's file name."""
    return posixpath.join(document.file_directory, filename)


class RenderedDocument(models.Model):
    """A PDF made by the render job (core.documents.tasks.render_document). Its bytes are stored."""

    # The folder under MEDIA_ROOT for this model's files, e.g. "formulation/reports/".
    file_directory: ClassVar[str] = "documents/"

    status = models.CharField(max_length=20, choices=DocumentState.choices, default=DocumentState.QUEUED)
    file = models.FileField(upload_to=document_upload_to, blank=True)
    # The SHA-256 of the stored file, in hex (empty for files made before it was kept, or not made yet).
    checksum = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    # When a worker last claimed the job, or the resend sweep last sent it again (core/documents/lifecycle.py).
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
