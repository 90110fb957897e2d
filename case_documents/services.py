"""Writing documents and versions, and the virus check's steps (the job in tasks.py calls these).

Every write validates here (the forms only say it first): the file's type by content (filetypes.py), its size
(settings.ECM_DOCUMENT_MAX_BYTES), the category, a date not in the future, a description; an open case
(`ensure_open`). A version is written "pending" and its scan job sent once the transaction commits (core/jobs.py:
a broker that is down loses nothing, the sweep sends it again). Nobody downloads a pending or infected version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from case_documents import filetypes, scanning
from case_documents.models import CaseDocument, DocumentCategory, DocumentVersion, ScanStatus
from cases.models import Case, CaseEventKind, Visibility
from cases.services import case_event_add, ensure_open

logger = logging.getLogger(__name__)

# A claim older than this is a dead worker's (longer than the scan job's hard time limit, tasks.py).
CLAIM_LEASE_SECONDS = 180
# A pending version whose job nobody took for this long lost its message: the sweep sends it again.
STALE_AFTER_SECONDS = 60
MAX_SCAN_ATTEMPTS = 5


def max_bytes() -> int:
    return int(getattr(settings, "ECM_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def _size_of(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    return int(size)


def file_check(upload: Any) -> filetypes.FileType:
    """The accepted type of an upload, or a ValidationError on `file` (empty, too big, not an accepted type)."""
    if upload is None:
        raise ValidationError({"file": "Select a file"})
    size = _size_of(upload)
    if size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    if size > max_bytes():
        raise ValidationError({"file": f"The file must be smaller than {filesizeformat(max_bytes())}"})
    try:
        return filetypes.detect(upload)
    except filetypes.UnacceptedFile as error:
        raise ValidationError({"file": error.messages}) from error


def _details_check(*, category: str, document_date: dt.date | None, description: str) -> dt.date:
    """The document's date, once every detail is right (else a ValidationError naming each field)."""
    errors: dict[str, str] = {}
    if category not in DocumentCategory.values:
        errors["category"] = "Select the kind of document"
    if document_date is None:
        errors["document_date"] = "Enter the date of the document"
    elif document_date > timezone.localdate():
        errors["document_date"] = "The date of the document must be today or in the past"
    if not description.strip():
        errors["description"] = "Enter a description of the document"
    elif len(description) > 300:
        errors["description"] = "The description must be 300 characters or fewer"
    if errors or document_date is None:
        raise ValidationError(errors)
    return document_date


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def document_link(document: CaseDocument) -> str:
    return reverse("case_documents:detail", args=[document.case_id, document.pk])


def _event_visibility(document: CaseDocument) -> str:
    return Visibility.SUMMARY if document.shared_with_network else Visibility.FULL


def _version_add(*, document: CaseDocument, upload: Any, found: filetypes.FileType, actor: Any) -> DocumentVersion:
    number = (document.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    original = str(getattr(upload, "name", "") or "document")[:255]
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=original.replace("\\", "/").rsplit("/", 1)[-1],
        content_type=found.content_type,
        extension=found.extension,
        size=_size_of(upload),
        sha256=_sha256(upload),
        uploaded_by=actor,
        sent_at=timezone.now(),
    )
    upload.seek(0)
    version.file.save(f"upload.{found.extension}", File(upload), save=False)
    version.save()
    transaction.on_commit(lambda: _send(version.pk))
    return version


def _send(version_id: int) -> None:
    from case_documents.tasks import scan_send

    scan_send([version_id])


def document_upload(
    *,
    case: Case,
    actor: Any,
    file: Any,
    category: str,
    document_date: dt.date | None,
    description: str,
    shared_with_network: bool = False,
) -> CaseDocument:
    """Add a document to the case: its first version is held until the virus check finds it clean."""
    found = file_check(file)
    day = _details_check(category=category, document_date=document_date, description=description)
    with transaction.atomic():
        ensure_open(case)
        document = CaseDocument.objects.create(
            case=case,
            category=category,
            document_date=day,
            description=description.strip(),
            shared_with_network=shared_with_network,
            uploaded_by=actor,
        )
        _version_add(document=document, upload=file, found=found, actor=actor)
        case_event_add(
            case=case,
            kind=CaseEventKind.DOCUMENT,
            summary=f"Document added ({document.get_category_display().lower()}): {document.description}",
            actor=actor,
            visibility=_event_visibility(document),
            link=document_link(document),
        )
    return document


def document_replace(*, document: CaseDocument, actor: Any, file: Any) -> DocumentVersion:
    """Upload a new version of a document; the earlier ones are kept (and stay downloadable to those allowed)."""
    found = file_check(file)
    with transaction.atomic():
        ensure_open(document.case_id)
        locked = CaseDocument.objects.select_for_update().get(pk=document.pk)
        version = _version_add(document=locked, upload=file, found=found, actor=actor)
        case_event_add(
            case=locked.case,
            kind=CaseEventKind.DOCUMENT,
            summary=f"New version ({version.number}) of a document: {locked.description}",
            actor=actor,
            visibility=_event_visibility(locked),
            link=document_link(locked),
        )
    return version


# --- The virus check's steps (tasks.scan_version) ---------------------------------------------------------


def _claimable(now: dt.datetime) -> Q:
    return Q(scan_status=ScanStatus.PENDING) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - dt.timedelta(seconds=CLAIM_LEASE_SECONDS))
    )


def version_claim(version_id: int) -> DocumentVersion | None:
    """Take a pending version for this worker (None: already checked, gone, or another worker has it)."""
    now = timezone.now()
    with transaction.atomic():
        version = (
            DocumentVersion.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk=version_id)
            .select_related("document")
            .first()
        )
        if version is None:
            return None
        version.claimed_at = now
        version.scan_attempts += 1
        version.save(update_fields=["claimed_at", "scan_attempts"])
    return version


def version_scan(version_id: int) -> DocumentVersion | None:
    """Claim, check and mark one version; None when there was nothing to do. ScannerUnavailable leaves it held
    (the claim released) for the job's retry or the sweep."""
    version = version_claim(version_id)
    if version is None:
        return None
    try:
        with version.file.open("rb") as stream:
            result = scanning.scan(stream)
    except (scanning.ScannerUnavailable, OSError) as error:
        DocumentVersion.objects.filter(pk=version.pk, scan_status=ScanStatus.PENDING).update(
            claimed_at=None, scan_detail=f"The virus check could not be done yet: {error}"[:300]
        )
        raise scanning.ScannerUnavailable(str(error)) from error
    return version_scanned(version.pk, result)


def version_scanned(version_id: int, result: scanning.ScanResult) -> DocumentVersion:
    """Record the check: clean versions become downloadable; an infected one is marked, its bytes deleted,
    and the chronology says so (the uploader sees why on the document's page)."""
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().select_related("document__case").get(pk=version_id)
        if version.scan_status != ScanStatus.PENDING:
            return version
        version.scanner = result.scanner
        version.scanned_at = timezone.now()
        if not result.infected:
            version.scan_status = ScanStatus.CLEAN
            version.scan_detail = ""
            version.save(update_fields=["scanner", "scanned_at", "scan_status", "scan_detail"])
            return version
        stored = version.file.name
        storage = version.file.storage
        version.scan_status = ScanStatus.INFECTED
        version.scan_detail = result.signature or "A virus"
        version.file.name = ""
        version.save(update_fields=["scanner", "scanned_at", "scan_status", "scan_detail", "file"])
        document = version.document
        case_event_add(
            case=document.case,
            kind=CaseEventKind.DOCUMENT,
            summary=(
                f"Version {version.number} of a document was refused: a virus was found ({version.scan_detail}). "
                f"The file was deleted: {document.description}"
            ),
            actor=None,
            visibility=Visibility.FULL,
            link=document_link(document),
        )
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))
    logger.warning("Document version %s: infected (%s), file deleted", version.pk, version.scan_detail)
    return version


def stale_versions(now: dt.datetime | None = None) -> QuerySet[DocumentVersion]:
    """Pending versions whose job was lost: not sent or taken for STALE_AFTER_SECONDS, or claimed by a worker
    longer ago than the lease."""
    now = now or timezone.now()
    sent_before = now - dt.timedelta(seconds=STALE_AFTER_SECONDS)
    claimed_before = now - dt.timedelta(seconds=CLAIM_LEASE_SECONDS)
    return DocumentVersion.objects.filter(
        Q(scan_status=ScanStatus.PENDING)
        & (Q(sent_at__isnull=True) | Q(sent_at__lt=sent_before))
        & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_before))
    )


def versions_take_stale() -> list[int]:
    """For the sweep: the stale versions' ids, each stamped as sent now (two sweeps at once take each once)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(stale_versions(now).select_for_update(skip_locked=True).values_list("pk", flat=True))
        if ids:
            DocumentVersion.objects.filter(pk__in=ids).update(sent_at=now)
    return ids
