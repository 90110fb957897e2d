"""The access log: one function writes every access event, with the request's origin attached."""

from __future__ import annotations

from typing import Any

from accounts.models import AccessAction, AccessEvent
from accounts.request_context import current_origin


def access_event_record(
    *,
    user: Any,
    action: str,
    record_type: str,
    record_id: object = "",
    case_id: int | None = None,
    description: str = "",
) -> AccessEvent:
    """Append one access event for `user`; the origin comes from the current request, if any."""
    origin = current_origin.get()
    return AccessEvent.objects.create(
        user=user,
        action=AccessAction(action),
        record_type=record_type,
        record_id=str(record_id),
        case_id=case_id,
        description=description[:300],
        ip_address=origin.ip_address,
        user_agent=origin.user_agent[:300],
        path=origin.path[:500],
    )
