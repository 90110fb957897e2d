"""The former service: after a case moves to another youth justice service (cases/services/transfers.py), the
case managers of the service that held it keep READ access for ECM_TRANSFER_READ_DAYS days after their spell
ended (cases.CaseHolding), then none.

Part of the one access module (`cases.access`). The FORMER relation (cases/access/core.py) is in no writing
rule: the former service sees the case as the network does (the shared summary: the case page, its summary
chronology, the meetings they are invited to) and, on its own page, what was recorded while it held the case
(`Action.READ_FORMER_RECORDS`, cases/views/transfers.py): the contacts (not restricted ones: those were the
holder's and the clinicians' alone) and the chronology lines of its spell. It changes nothing and cannot log a
contact.

Which cases: part of the person's standing (cases/access/standing.py reads this module's SQL with its other
parts, in the request's one read of the person's facts): the cases whose spell with a service where the person
is an active case manager ended after the cut-off. The cut-off is worked out in Python (time-machine moves it in
tests; PostgreSQL's clock would not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Membership, Role
from cases.models import CaseHolding

FORMER_TAG = 4  # the standing's tag for these cases (1-3 are owned, covered and shared: standing.py)


def read_days() -> int:
    """How long a former service reads a case after it moved (days)."""
    return int(getattr(settings, "ECM_TRANSFER_READ_DAYS", 90))


def read_until(ended_at: dt.datetime) -> dt.datetime:
    """When a former service's read access ends, for a spell that ended at `ended_at`."""
    return ended_at + dt.timedelta(days=read_days())


def former_condition(user: Any, standing: Any, scope: Any) -> Q:
    """FORMER as a condition on the records of a scope: cases only (referrals stay with the referring service)."""
    if scope.record_type != "case":
        return Q(pk__in=[])
    return Q(pk__in=sorted(standing.former_cases))


def former_sql(fact: str, *, managed: str) -> str:
    """The standing's part for these cases: (tag, case id) rows, parameters named after the standing's fact.

    `managed` names the standing's part listing the active services where the person is a case manager
    (a relation with an `agency_id` column). A case may appear twice (two spells): the standing keeps a set.
    """
    holding = CaseHolding._meta.db_table
    return f"""
        SELECT {FORMER_TAG}, h.case_id FROM {holding} h
         WHERE h.agency_id IN (SELECT {managed}.agency_id FROM {managed})
           AND h.ended_at IS NOT NULL AND h.ended_at > %({fact}__former_since)s
    """  # noqa: S608 - table names come from the models' metadata, every value is a parameter


def former_params(fact: str) -> dict[str, Any]:
    """The cut-off: spells that ended after it are still read by their service."""
    return {f"{fact}__former_since": timezone.now() - dt.timedelta(days=read_days())}


def former_people(case: Any) -> Q:
    """FORMER asked the other way round (`who_can_see`, cases/access/viewers.py): a condition on people, mirroring
    `former_sql` line for line."""
    since = timezone.now() - dt.timedelta(days=read_days())
    services = CaseHolding.objects.filter(case=case, ended_at__isnull=False, ended_at__gt=since).values("agency_id")
    return Q(
        Exists(
            Membership.objects.filter(
                user=OuterRef("pk"),
                role=Role.CASE_MANAGER,
                is_active=True,
                agency__is_active=True,
                agency_id__in=services,
            )
        )
    )
