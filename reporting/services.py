"""Writes of the reporting app: which youth justice services a commissioning body commissions."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.history import acting_as
from accounts.models import Agency
from reporting.models import Commissioning


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
