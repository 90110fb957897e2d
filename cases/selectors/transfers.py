"""Reads for transfers between services: a case's offers, the spells of a former service, what a former service
recorded while it held the case. Every caller has fetched the case or the offer through the access module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Agency, AgencyKind
from cases.access.former import read_until
from cases.access.standing import standing_of
from cases.models import Case, CaseEvent, CaseHolding, CaseTransfer, Contact, TransferStatus, Visibility


def transfers_of(*, case: Case) -> QuerySet[CaseTransfer]:
    """Every offer of the case, newest first."""
    return case.transfers.select_related("from_yjs", "to_yjs", "offered_by", "decided_by", "new_holder")


def pending_transfer(*, case: Case) -> CaseTransfer | None:
    return transfers_of(case=case).filter(status=TransferStatus.PENDING).first()


def services_to_offer(*, case: Case) -> QuerySet[Agency]:
    """The youth justice services a case can be offered to: every active one but its own."""
    return (
        Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, is_active=True)
        .exclude(pk=case.owning_yjs_id)
        .order_by("name")
    )


@dataclass(frozen=True)
class FormerSpell:
    """One spell of the case with a service the person works in, now over."""

    agency: Agency
    started_at: dt.datetime
    ended_at: dt.datetime

    @property
    def read_until(self) -> dt.datetime:
        return read_until(self.ended_at)


def former_spells(*, user: Any, case: Case) -> list[FormerSpell]:
    """The case's ended spells with the services where the person is a case manager, oldest first."""
    spells = (
        CaseHolding.objects.select_related("agency")
        .filter(case=case, agency_id__in=sorted(standing_of(user).owned_yjs), ended_at__isnull=False)
        .order_by("ended_at", "pk")
    )
    return [
        FormerSpell(agency=spell.agency, started_at=spell.started_at or case.opened_at, ended_at=spell.ended_at)
        for spell in spells
        if spell.ended_at is not None
    ]


def _within(field: str, spells: list[FormerSpell]) -> Q:
    condition = Q(pk__in=[])
    for spell in spells:
        condition |= Q(**{f"{field}__gte": spell.started_at, f"{field}__lt": spell.ended_at})
    return condition


def former_contacts(*, case: Case, spells: list[FormerSpell]) -> QuerySet[Contact]:
    """Contacts recorded while the person's service held the case (restricted notes never: they were the holder's
    and the clinicians' alone)."""
    return (
        Contact.objects.filter(case=case, restricted=False)
        .filter(_within("recorded_at", spells))
        .select_related("recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def former_events(*, case: Case, spells: list[FormerSpell]) -> QuerySet[CaseEvent]:
    """The chronology of the spells (lines for the full record or the summary, never restricted ones)."""
    return (
        CaseEvent.objects.filter(case=case, visibility__in=[Visibility.SUMMARY, Visibility.FULL])
        .filter(_within("occurred_at", spells))
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )
