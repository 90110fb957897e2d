"""Writes of the reporting app: which youth justice services a commissioning body commissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.history import acting_as
from accounts.models import Agency, Commissioning


@transaction.atomic
def commissioning_add(*, commissioner_agency: Agency, yjs: Agency, actor: Any = None) -> Commissioning:
    """Record that a commissioning body commissions ECM for a youth justice service (its figures become theirs)."""
    existing = Commissioning.objects.filter(commissioner_agency=commissioner_agency, yjs=yjs).first()
    if existing is not None:
        return existing
    with acting_as(actor):
        commissioning = Commissioning(commissioner_agency=commissioner_agency, yjs=yjs)
        commissioning.full_clean()
        commissioning.save()
    return commissioning


def _require_service_administrator(actor: Any) -> None:
    if actor is not None and not actor.has_perm("accounts.manage_service"):
        raise ValidationError("Only a service administrator can change commissioning.")


@transaction.atomic
def commissioning_record(*, commissioner_agency: Agency, yjs: Agency, actor: Any) -> Commissioning:
    """An administrator records a new commissioning line; unlike `commissioning_add` (for seeding), a line
    that is already there is an error to show."""
    _require_service_administrator(actor)
    if Commissioning.objects.filter(commissioner_agency=commissioner_agency, yjs=yjs).exists():
        raise ValidationError({"yjs": f"{commissioner_agency} already commissions ECM for {yjs}."})
    return commissioning_add(commissioner_agency=commissioner_agency, yjs=yjs, actor=actor)


@transaction.atomic
def commissioning_remove(*, commissioning: Commissioning, actor: Any) -> None:
    """The commissioning body stops seeing the service's figures. History keeps the line and who removed it."""
    _require_service_administrator(actor)
    with acting_as(actor):
        commissioning.delete()
