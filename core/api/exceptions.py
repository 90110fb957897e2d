"""The API's error answers: DRF's, plus a service's ValidationError as a 400 with its field errors.

Services (the same the pages use) raise django.core.exceptions.ValidationError; the pages show it in the
GOV.UK error summary, the API as `{"field": ["message"], "non_field_errors": [...]}`. The access module's
Http404 and PermissionDenied are DRF's own 404 and 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def as_field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_field_errors(exc))
    survivor = getattr(exc, "survivor_id", None)
    if survivor is not None and type(exc).__name__ == "RecordMerged":
        # A merged case (cases/merge_redirect.py) that the caller could see: the pages redirect to the surviving
        # case; the API says where it went, so a system updates its link (core never imports cases).
        detail = f"This case was merged into case {survivor}: use that case's id."
        return Response({"detail": detail, "merged_into": survivor}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)
