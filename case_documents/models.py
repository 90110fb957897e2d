"""Documents uploaded to a case and their versions.

A `CaseDocument` is what the page lists (its category, date, description and whether the network sees it);
each upload of its file is a `DocumentVersion`, kept when a newer one replaces it. A version's bytes are held
("Waiting for a virus check") until the scan job (case_documents/tasks.py) finds them clean; an infected
version's bytes are deleted and it is never downloadable. Files go through Django's storage API
(`case_document_storage`), never under the static files, and only a view that asked the access module
streams them.
"""

from __future__ import annotations

import posixpath
import uuid

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.db import models

from cases.models import Case


class DocumentCategory(models.TextChoices):
    """The kinds of document; who sees each is the access module's (cases.access.documents.CATEGORY_ACTIONS)."""

    COURT = "court", "Court"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    CONSENT = "consent", "Consent"
    ASSESSMENT = "assessment", "Assessment"
    OTHER = "other", "Other"


class ScanStatus(models.TextChoices):
    """Where a version's virus check is. Only a clean version is ever downloaded."""

    PENDING = "pending", "Waiting for a virus check"
    CLEAN = "clean", "Ready"
    INFECTED = "infected", "A virus was found"


def case_document_storage() -> Storage:
    """Where uploaded documents are kept: STORAGES["case_documents"] when configured (S3-compatible in
    production, config/settings/base.py), else the default storage (the file system under MEDIA_ROOT, which
    backups archive)."""
    if "case_documents" in settings.STORAGES:
        return storages["case_documents"]
    return default_storage


def version_upload_to(version: DocumentVersion, filename: str) -> str:
    """A random name under the case's folder, with the extension of the type found in the content: never the
    name the file was uploaded with (it may name the child, or try to climb out of the folder)."""
    extension = posixpath.splitext(filename)[1].lower()
    return posixpath.join("case_documents", str(version.document.case_id), f"{uuid.uuid4().hex}{extension}")


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="uploaded_documents", db_index=False)
    category = models.CharField(max_length=20, choices=DocumentCategory.choices)
    document_date = models.DateField("Date of the document")
    description = models.CharField(max_length=300)
    shared_with_network = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-document_date", "-pk"]
        indexes = [models.Index(fields=["case", "-document_date", "-id"], name="case_document_list")]

    def __str__(self) -> str:
        return self.description

    @property
    def latest(self) -> DocumentVersion | None:
        """The newest version (prefetched `versions` are used when there)."""
        versions: list[DocumentVersion] = list(self.versions.all())
        return max(versions, key=lambda version: version.number) if versions else None


class DocumentVersion(models.Model):
    document = models.ForeignKey(CaseDocument, on_delete=models.CASCADE, related_name="versions", db_index=False)
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_upload_to, storage=case_document_storage, max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.PENDING)
    # What the scanner said: the signature found, or why the check could not be done yet.
    scan_detail = models.CharField(max_length=300, blank=True)
    scanner = models.CharField(max_length=50, blank=True)
    scan_attempts = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # When the scan job was last sent (or sent again by the sweep), and when a worker last claimed it.
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
        ]
        indexes = [
            models.Index(
                fields=["sent_at"], name="document_version_pending", condition=models.Q(scan_status="pending")
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of document {self.document_id}"

    @property
    def is_clean(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN

    @property
    def is_pending(self) -> bool:
        return self.scan_status == ScanStatus.PENDING

    @property
    def is_infected(self) -> bool:
        return self.scan_status == ScanStatus.INFECTED

    def type_label(self) -> str:
        return TYPE_LABELS.get(self.extension, self.extension.upper())


TYPE_LABELS = {"pdf": "PDF", "docx": "Word", "doc": "Word (97-2003)", "png": "PNG image", "jpg": "JPEG image"}
