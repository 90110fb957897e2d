"""The access module's answers for the administration area (/manage/): who may manage whom.

Part of the one access module (`cases.access`, which re-exports these); nothing here reads case content.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.audit import access_event_record
from accounts.models import AccessAction, User
from accounts.selectors import (
    manageable_agencies,
    manageable_people,
    may_manage_people,
    may_manage_person,
    may_manage_service,
)
from cases.access.core import _is_signed_in
from config.converters import record_id_or_404

# The administration area (/manage/): people, agencies, coverage. Never case content. The rules of who
# may manage whom are stated once in accounts.selectors (the services guard with them too) and answered
# here, with the 404/403 and the access log of every other access question.

__all__ = [
    "get_person_for",
    "manageable_agencies",
    "manageable_people",
    "may_manage_people",
    "may_manage_person",
    "may_manage_service",
]


def get_person_for(user: Any, person_id: int | str, *, change: bool = False) -> User:
    """Fetch a person for the administration area: 403 for anyone who manages nobody, 404 for a person
    outside the administrator's scope (existence never leaks across agencies), 403 to change someone in
    scope they may not change. Refusals are written to the access log."""
    pk = record_id_or_404(person_id, "person")
    if not may_manage_people(user):
        _log_person_refusal(user, pk, "manage person: forbidden")
        raise PermissionDenied("Only administrators manage people.")
    person = manageable_people(user).filter(pk=pk).first()
    if person is None:
        _log_person_refusal(user, pk, "manage person: not visible")
        raise Http404("No such person")
    if change and not may_manage_person(user, person):
        _log_person_refusal(user, pk, "manage person: forbidden")
        raise PermissionDenied("Only a service administrator changes a service administrator.")
    return person


def _log_person_refusal(user: Any, pk: int, description: str) -> None:
    if _is_signed_in(user):
        access_event_record(
            user=user, action=AccessAction.DENIED, record_type="person", record_id=pk, description=description
        )
