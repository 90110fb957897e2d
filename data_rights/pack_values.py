"""How the subject access pack writes values: people by name, moments and days in ISO form, choices in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def pack_person(person: Any) -> str:
    if person is None:
        return ""
    return str(person.get_full_name() or person.username)


def pack_moment(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def pack_day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def pack_label(choices: Any, value: str) -> str:
    """A stored choice in words ("" stays "")."""
    return str(dict(choices.choices).get(value, value)) if value else ""
