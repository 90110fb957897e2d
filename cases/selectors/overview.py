"""The case overview: what the case page shows one person at a glance, read with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Subquery,
)
from django.utils import timezone

from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import (
    Case,
    CaseHolderChange,
    Consultation,
    Contact,
    NetworkMember,
)
from cases.sections import compiled_facts, count_of, facts_of
from cases.selectors.people import holder_history, network_of
from cases.selectors.records import EventLine, latest_events, link_events
from core.dates import age_on

LATEST_EVENTS = 5


@dataclass(frozen=True)
class CaseOverview:
    """What the case page shows one person, read with a fixed number of queries."""

    full_record: bool
    psychologist: User | None
    senior_practitioner: User | None
    network: list[NetworkMember]
    latest_events: list[EventLine]
    holders: list[CaseHolderChange]
    has_restricted_notes: bool
    contact_count: int
    consultation_count: int
    child_age: int
    # The latest contact the person may see, how many days ago, and whether that is longer than the case's
    # contact frequency allows (Case.contact_frequency_days).
    last_contact_at: dt.datetime | None = None
    days_since_contact: int | None = None
    contact_overdue: bool = False


def overview_facts(*, user: Any, case: Case) -> dict[str, Any]:
    """What the case page counts, as facts on the case's row (cases.sections): how many contacts (that the
    person may see) and consultations, when the latest contact was, and whether restricted notes exist. Nothing
    without the full record."""
    if not access.may(user, Action.VIEW, case):
        return {}
    return compiled_facts(_overview_facts, access.may(user, Action.VIEW_RESTRICTED, case))


def _overview_facts(restricted_shown: bool) -> dict[str, Any]:
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if not restricted_shown:
        contacts = contacts.filter(restricted=False)
    return {
        "contact_total": count_of(contacts),
        "last_contact_at": Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
        "consultation_total": count_of(Consultation.objects.filter(case=OuterRef("pk"))),
        "has_restricted": Exists(Contact.objects.filter(case=OuterRef("pk"), restricted=True)),
    }


def case_overview(
    *, user: Any, case: Case, facts: Mapping[str, Any] | None = None, with_lists: bool = True
) -> CaseOverview:
    """Everything the case page needs for this person; the full-record parts only when they may read them.

    `facts`: the values of `overview_facts`, when the page has read them with its sections' (read here otherwise).
    `with_lists`: read the network and the case holders too (the shared summary shows them; the full record's
    overview leaves them to the Network and Details pages).
    """
    full_record = access.may(user, Action.VIEW, case)
    may_view_restricted = access.may(user, Action.VIEW_RESTRICTED, case)
    if facts is None:
        facts = facts_of(case, overview_facts(user=user, case=case))
    today = timezone.localdate()
    last_contact_at = facts.get("last_contact_at")
    days_since = (today - timezone.localtime(last_contact_at).date()).days if last_contact_at else None
    frequency = getattr(case, "contact_frequency_days", None)
    return CaseOverview(
        full_record=full_record,
        # The case came through the access module with its clinicians.
        psychologist=case.psychologist if case.psychologist_id else None,
        senior_practitioner=case.senior_practitioner if case.senior_practitioner_id else None,
        network=list(network_of(case=case)) if with_lists else [],
        latest_events=link_events(case=case, events=latest_events(user=user, case=case, count=LATEST_EVENTS)),
        holders=list(holder_history(case=case)) if full_record and with_lists else [],
        has_restricted_notes=may_view_restricted and bool(facts.get("has_restricted")),
        contact_count=facts.get("contact_total") or 0,
        consultation_count=facts.get("consultation_total") or 0,
        child_age=age_on(case.child.date_of_birth, today),
        last_contact_at=last_contact_at,
        days_since_contact=days_since,
        # An open case whose child has not been seen within its contact frequency (or ever, once that long open).
        contact_overdue=bool(
            full_record
            and frequency
            and not case.closed_at
            and (
                days_since > frequency
                if days_since is not None
                else (today - timezone.localtime(case.opened_at).date()).days > frequency
            )
        ),
    )
