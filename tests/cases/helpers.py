"""What the case tests post: a valid contact form. (Contacts themselves are made by tests.factories'
`log_contact`.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.models import ContactKind


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
