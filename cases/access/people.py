"""The access module's answers for the administration area (/manage/): who may manage whom.

Part of the one access module (`cases.access`, which re-exports these); nothing here reads case content.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.audit import access_event_record
from accounts.models import AccessAction, Agency, Membership, Role, User
from accounts.selectors import agencies_administered_by
from cases.access.core import _is_signed_in, has_role_permission
from config.converters import record_id_or_404

# The administration area (/manage/): people, agencies, coverage. Never case content.


def may_manage_people(user: Any) -> bool:
    """Service and agency administrators manage people (the agency administrator only their own agency's)."""
    return has_role_permission(user, "accounts.manage_people")


def may_manage_service(user: Any) -> bool:
    """Service administrators manage agencies, coverage and commissioning across the service."""
    return has_role_permission(user, "accounts.manage_service")


def manageable_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies an administrator may add people to: every active one for a service administrator,
    the agencies they administer for an agency administrator, none for anyone else."""
    if not may_manage_people(user):
        return Agency.objects.none()
    if may_manage_service(user):
        return Agency.objects.filter(is_active=True)
    return agencies_administered_by(user)


def manageable_people(user: Any) -> QuerySet[User]:
    """The people an administrator may see and change, as one SQL query.

    A service administrator: everyone. An agency administrator: everyone with a membership, active or
    ended, in an agency they administer (so a leaver stays in reach). Anyone else: nobody.
    """
    if not may_manage_people(user):
        return User.objects.none()
    if may_manage_service(user):
        return User.objects.all()
    members = Membership.objects.filter(agency__in=agencies_administered_by(user)).values("user_id")
    return User.objects.filter(pk__in=members)


def may_manage_person(user: Any, person: User) -> bool:
    """May the administrator change this person? An agency administrator never changes a service administrator."""
    if not manageable_people(user).filter(pk=person.pk).exists():
        return False
    if may_manage_service(user):
        return True
    return not Membership.objects.filter(user=person, role=Role.ADMINISTRATOR, is_active=True).exists()


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
