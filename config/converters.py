"""The path converter for record ids, and the one check of an id typed by hand.

PostgreSQL keys are bigints, 1 to 2**63 - 1. Django's `int` converter takes any digits, so
`/cases/99999999999999999999/` reached the views and failed in the database (a 500, and the
number written to the access log). `<id:...>` matches only what a key can be: anything else is
a 404 from the resolver, before any view, query or access-log entry.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import register_converter

LARGEST_ID = 2**63 - 1  # PostgreSQL bigint, the type of every primary key here
_MAX_DIGITS = len(str(LARGEST_ID))


def is_record_id(value: object) -> bool:
    """Could this be a primary key? A positive whole number PostgreSQL can hold (as an int or its digits)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 1 <= value <= LARGEST_ID
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS and 1 <= int(text) <= LARGEST_ID


def record_id_or_404(value: object, what: str = "record") -> int:
    """The id as an int, or a 404 when it cannot be a primary key (so nothing invalid reaches a query or the log)."""
    if not is_record_id(value):
        raise Http404(f"No such {what}")
    return int(str(value))


class RecordIdConverter:
    """`<id:name>` in URL confs: 1 to 2**63 - 1, no leading zeros, no sign."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        if not is_record_id(value):
            # ValueError makes the resolver treat the path as not matching: a 404.
            raise ValueError(f"{value} is not a record id")
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


# Every URL conf that takes an id imports this module, so the converter is registered before its patterns.
register_converter(RecordIdConverter, "id")
