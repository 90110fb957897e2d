"""Small builders the case tests share: rows behind each page, written through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.models import Case, Contact, ContactKind
from cases.services import contact_log


def log_contact(case: Case, actor: User, *, restricted: bool = False, days_ago: float = 1, **fields: Any) -> Contact:
    values: dict[str, Any] = {
        "kind": ContactKind.FACE_TO_FACE,
        "with_whom": "Kai",
        "note": "We talked about football and his week at school.",
        **fields,
    }
    return contact_log(
        case=case,
        actor=actor,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        restricted=restricted,
        **values,
    )


def contact_form(**overrides: Any) -> dict[str, Any]:
    """A valid contact form for yesterday at 14:30, as the browser would post it."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data: dict[str, Any] = {
        "occurred_on_day": str(yesterday.day),
        "occurred_on_month": str(yesterday.month),
        "occurred_on_year": str(yesterday.year),
        "occurred_time": "14:30",
        "kind": ContactKind.HOME_VISIT,
        "with_whom": "Kai and his mother",
        "duration_minutes": "45",
        "note": "Kai was calm and showed me his new bike.",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}
