"""`ETag` on what a detail endpoint returns, `If-Match` on updates: a stale write is refused (412).

The ETag is a hash of the record's representation (the serializer's data, rendered as canonical JSON),
so it changes whenever anything the caller sees changes, whatever the model. An update must send the
ETag it read in `If-Match`: none is 428 (Precondition Required), another is 412 (Precondition Failed).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send the record's ETag (from reading it) in If-Match, so a change made meanwhile is not lost."
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: read it again, then send your change with its new ETag."
    default_code = "precondition_failed"


def etag_of(data: Any) -> str:
    """A strong ETag (quoted) for a representation."""
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def with_etag(response: Response, data: Any) -> Response:
    response["ETag"] = etag_of(data)
    return response


def check_if_match(request: Request, current: str) -> None:
    """Raise 428 without If-Match, 412 when none of its ETags is the current one (`*` matches any)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in offered and current not in offered:
        raise PreconditionFailed()
