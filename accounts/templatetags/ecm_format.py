"""Small display filters shared by the templates."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def as_minutes(duration: dt.timedelta | None) -> str:
    """A duration in whole minutes, in words: "15 minutes", "1 minute"."""
    if duration is None:
        return ""
    minutes = max(1, round(duration.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
