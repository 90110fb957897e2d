"""Who may handle subject access requests, and what a person may do with one request.

The role layer of the access module decides it (cases.access.may_handle_subject_access_requests): the permission
`data_rights.handle_subject_access_request` is held by the senior practitioner's and the service
administrator's role groups (accounts/roles.py). A request covers one child across every agency, so
there is no object layer: those who handle requests handle every request, as one team with one queue.
Everyone else is refused (403), and the refusal is in the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from data_rights.models import SubjectAccessRequest

RECORD_TYPE = "subject access request"


def may_handle_subject_access_requests(user: Any) -> bool:
    """Senior practitioners and service administrators (the access module's role layer); nobody else."""
    return access.may_handle_subject_access_requests(user)


def require_subject_access_handler(user: Any, *, what: str) -> None:
    """403 (logged as a refusal) for anyone who may not handle subject access requests."""
    if may_handle_subject_access_requests(user):
        return
    if getattr(user, "is_authenticated", False):
        access_event_record(user=user, action=AccessAction.DENIED, record_type=RECORD_TYPE, description=what)
    raise PermissionDenied("Only senior practitioners and service administrators handle subject access requests.")


@dataclass(frozen=True)
class SubjectAccessCapabilities:
    """What one person may do with one subject access request (templates read `caps.<name>`)."""

    download: bool  # the JSON file and the PDF pack
    retry_pdf: bool  # make a failed PDF pack again
    record_response: bool  # record that the response was sent


def subject_access_capabilities(user: Any, request: SubjectAccessRequest) -> SubjectAccessCapabilities:
    handler = may_handle_subject_access_requests(user)
    return SubjectAccessCapabilities(
        download=handler,
        retry_pdf=handler,
        record_response=handler and request.is_open,
    )


# Retention (data_rights/retention.py): the same role layer, its own permission (data_rights.handle_retention).

RETENTION_RECORD_TYPE = "retention review"


def may_handle_retention(user: Any) -> bool:
    """Senior practitioners and service administrators (the access module's role layer); nobody else."""
    return access.may_handle_retention(user)


def require_retention_handler(user: Any, *, what: str) -> None:
    """403 (logged as a refusal) for anyone who may not review records for retention."""
    if may_handle_retention(user):
        return
    if getattr(user, "is_authenticated", False):
        access_event_record(user=user, action=AccessAction.DENIED, record_type=RETENTION_RECORD_TYPE, description=what)
    raise PermissionDenied("Only senior practitioners and service administrators review records for retention.")
