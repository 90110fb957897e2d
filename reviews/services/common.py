"""What the review services share: the length limits, the phrasing of dates and counts, refusals."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from accounts.models import Agency, User
from cases.models import Case

NOTE_LIMIT = 5000
TEXT_LIMIT = 2000
VIEWS_LIMIT = 20000


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def refuse(message: str) -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: message})


def too_long(errors: dict[str, str], name: str, value: str, limit: int, what: str) -> None:
    if name not in errors and len(value) > limit:
        errors[name] = f"{what} must be {limit:,} characters or fewer"


def agency_of(person: User, case: Case) -> Agency | None:
    """The agency an ECM user owns an action for: their place in the network, else their first agency."""
    member = case.network.filter(user=person, removed_at__isnull=True).select_related("agency").first()
    if member is not None and member.agency_id:
        return member.agency
    membership = person.memberships.filter(is_active=True).select_related("agency").order_by("created_at").first()
    return membership.agency if membership else None
