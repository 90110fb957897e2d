"""Every write of data rights: starting a subject access request, recording each export, recording the response."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, User
from cases.models import Child
from core.documents.services import documents_send_on_commit
from data_rights.capabilities import RECORD_TYPE, may_handle_subject_access_requests
from data_rights.deadlines import subject_access_due_on
from data_rights.models import RequestStatus, SubjectAccessDocument, SubjectAccessRequest
from data_rights.pack import subject_access_pack
from data_rights.pack_schema import pack_problems

# What the render job is sent (core.documents.tasks.render_document); the kind is in data_rights/documents.py.
SUBJECT_ACCESS_PACK = "data_rights.subject_access_pack"


def _require_handler(actor: Any) -> None:
    if not may_handle_subject_access_requests(actor):
        raise PermissionDenied("Only senior practitioners and service administrators handle subject access requests.")


def subject_access_export_record(*, request: SubjectAccessRequest, actor: User, action: str, what: str) -> None:
    """Write the access events of one export of the pack: one for the request, and one in the access log of
    each of the child's cases it holds (so each case's "who has looked" page shows it)."""
    access_event_record(
        user=actor,
        action=action,
        record_type=RECORD_TYPE,
        record_id=request.pk,
        description=f"{what} about child {request.child_id} (reference {request.reference})",
    )
    for case in request.pack.get("sections", {}).get("cases", []):
        access_event_record(
            user=actor,
            action=action,
            record_type="case",
            record_id=case["id"],
            case_id=case["id"],
            description=f"{what} of subject access request {request.pk}",
        )


@transaction.atomic
def subject_access_request_start(
    *,
    actor: User,
    child: Child,
    reference: str,
    requester: str,
    requester_name: str,
    received_on: dt.date,
    notes: str = "",
) -> SubjectAccessRequest:
    """Start a subject access request: gather everything held about the child into its pack, record the
    export in the access log, and ask for the PDF pack (made once the transaction is committed)."""
    _require_handler(actor)
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date the request was received must be today or in the past"})
    with acting_as(actor):
        request = SubjectAccessRequest(
            child=child,
            reference=reference.strip(),
            requester=requester,
            requester_name=requester_name.strip(),
            received_on=received_on,
            due_on=subject_access_due_on(received_on),
            notes=notes.strip(),
            created_by=actor,
        )
        request.full_clean()
        request.save()
        # Written before the pack is gathered, so the pack's access events begin with this export.
        access_event_record(
            user=actor,
            action=AccessAction.EXPORT,
            record_type=RECORD_TYPE,
            record_id=request.pk,
            description=f"subject access request started: everything held about child {child.pk} gathered",
        )
        pack = subject_access_pack(child, request=request)
        problems = pack_problems(pack)
        if problems:  # a programming error: never hand out a pack that does not match its schema
            raise AssertionError(f"The subject access pack does not match its schema: {problems}")
        request.pack_json = json.dumps(pack, ensure_ascii=False, indent=2)
        request.pack_sha256 = hashlib.sha256(request.pack_json.encode("utf-8")).hexdigest()
        request.save(update_fields=["pack_json", "pack_sha256"])
        for case in pack["sections"]["cases"]:
            access_event_record(
                user=actor,
                action=AccessAction.EXPORT,
                record_type="case",
                record_id=case["id"],
                case_id=case["id"],
                description=f"gathered for subject access request {request.pk}",
            )
        document = SubjectAccessDocument.objects.create(request=request)
        documents_send_on_commit(SUBJECT_ACCESS_PACK, [document.pk])
    return request


def subject_access_json(*, request: SubjectAccessRequest, actor: User) -> bytes:
    """The pack as a JSON file (UTF-8, indented, as gathered: its SHA-256 is `pack_sha256`), its download logged."""
    _require_handler(actor)
    subject_access_export_record(request=request, actor=actor, action=AccessAction.DOWNLOAD, what="JSON file")
    return request.pack_json.encode("utf-8")


def subject_access_request_respond(*, request: SubjectAccessRequest, actor: User) -> SubjectAccessRequest:
    """Record that the response was sent (once: a second click changes nothing)."""
    _require_handler(actor)
    with transaction.atomic(), acting_as(actor):
        changed = SubjectAccessRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.RESPONDED, responded_at=timezone.now(), responded_by=actor
        )
        if not changed:
            raise ValidationError("This request's response is already recorded.")
    request.refresh_from_db(fields=["status", "responded_at", "responded_by"])
    return request
