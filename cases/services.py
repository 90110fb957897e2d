"""Writes for children and cases. Every write runs inside a transaction with its history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Membership, Role, User
from cases.models import Case, Child

SUMMARY_PERMISSION = "cases.view_case_summary"


@transaction.atomic
def case_open(*, child: Child, owning_yjs: Agency, case_holder: User, actor: Any) -> Case:
    """Open an ECM case for a child, owned by a YJS and held by one of its case managers."""
    if owning_yjs.kind != AgencyKind.YOUTH_JUSTICE:
        raise ValidationError({"owning_yjs": "A case is owned by a youth justice service."})
    if not Membership.objects.filter(
        user=case_holder, agency=owning_yjs, role=Role.CASE_MANAGER, is_active=True
    ).exists():
        raise ValidationError(
            {"case_holder": "The case holder must be a case manager of the owning service."}
        )
    with acting_as(actor):
        case = Case(child=child, owning_yjs=owning_yjs, case_holder=case_holder)
        case.full_clean()
        case.save()
    return case


@transaction.atomic
def case_share_summary(
    *, case: Case, actor: Any, user: User | None = None, agency: Agency | None = None
) -> None:
    """Let one named professional, or a whole agency, see this case's shared summary."""
    if (user is None) == (agency is None):
        raise ValueError("Share with exactly one of a user or an agency.")
    with acting_as(actor):
        assign_perm(SUMMARY_PERMISSION, user if user is not None else agency.group, case)  # type: ignore[union-attr]


@transaction.atomic
def case_unshare_summary(
    *, case: Case, actor: Any, user: User | None = None, agency: Agency | None = None
) -> None:
    """Take back a share made by case_share_summary."""
    if (user is None) == (agency is None):
        raise ValueError("Unshare with exactly one of a user or an agency.")
    with acting_as(actor):
        remove_perm(SUMMARY_PERMISSION, user if user is not None else agency.group, case)  # type: ignore[union-attr]
