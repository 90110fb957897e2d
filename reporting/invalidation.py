"""What makes a cached report stale: new data of a service, noticed where it is written.

Every model a figure reads is watched (post_save and post_delete, connected in reporting/apps.py),
so no service has to remember the cache. A write notes the service it belongs to — directly, or
through its case, meeting, goal or child — and once the transaction commits, that service's
generation rises (reporting/report_cache.py), which retires every cached report that includes it
and no other. A change to the reference data every report shows (services' names and kinds, the
TRM stages) retires every cached report.

The service is worked out after the commit, with one query for the whole transaction: the write
itself pays nothing but a note. After the commit, because a report computed before the commit
must not be stored under the new generation. A write rolled back retires nothing.

Writes made with `QuerySet.update()` send no signal. The services that change a figure that way
(closing or reopening a case, signing off a report) also write a case event or save the report,
which is noticed. While Redis is unreachable a rise can be missed; the day's entries end at
midnight regardless.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.db.models.signals import post_delete, post_save

from accounts.models import Agency
from cases.models import Case, CaseEvent, CaseHolderChange, CaseHolding, Child, Consultation
from formulation.models import FormulationReport, Invitation, Meeting, Recommendation
from referrals.models import Referral
from reporting import report_cache
from trm_stages.models import Goal, GoalRating, Stage, StageAssessment, ThriveGrouping, TrmVersion

logger = logging.getLogger(__name__)

# Rows that belong to a case: the case's service.
CASE_ROWS: tuple[type[Model], ...] = (
    CaseEvent,
    CaseHolderChange,
    Consultation,
    Meeting,
    FormulationReport,
    Recommendation,
    StageAssessment,
    Goal,
    ThriveGrouping,
)
# What every report shows, whatever its services.
REFERENCE_ROWS: tuple[type[Model], ...] = (Agency, Stage, TrmVersion)


@dataclass
class Changed:
    """What one transaction wrote, to be turned into services once it commits."""

    services: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)
    meetings: set[int] = field(default_factory=set)
    goals: set[int] = field(default_factory=set)
    children: set[int] = field(default_factory=set)
    everything: bool = False
    applied: bool = False

    def __call__(self) -> None:
        self.applied = True
        try:
            report_cache.generations_bump(self.service_ids(), everything=self.everything)
        except Exception:  # a stale report is better than a failed write: the day's entries end at midnight
            logger.exception("reports' cache: could not retire the reports of the services just written")

    def service_ids(self) -> set[int]:
        services = {service for service in self.services if service is not None}
        owners = Q(pk__in=self.cases) if self.cases else Q()
        if self.meetings:
            owners |= Q(pk__in=Meeting.objects.filter(pk__in=self.meetings).values("case_id"))
        if self.goals:
            owners |= Q(pk__in=Goal.objects.filter(pk__in=self.goals).values("case_id"))
        if self.children:
            owners |= Q(child_id__in=self.children)
        if owners:
            services.update(Case.objects.filter(owners).values_list("owning_yjs_id", flat=True).distinct())
        return services


_local = threading.local()


def _changed() -> Changed | None:
    """This transaction's record of changes, sent to be applied when it commits (None outside a transaction)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    changed = getattr(_local, "changed", None)
    # Still waiting for this transaction's commit? (A rolled-back savepoint, or the commit, removes it.)
    waiting = changed is not None and not changed.applied
    if not waiting or not any(entry[1] is changed for entry in connection.run_on_commit):
        changed = _local.changed = Changed()
        transaction.on_commit(changed, robust=True)
    return changed


def note(
    *,
    services: tuple[int | None, ...] = (),
    cases: tuple[int | None, ...] = (),
    meetings: tuple[int, ...] = (),
    goals: tuple[int, ...] = (),
    children: tuple[int, ...] = (),
    everything: bool = False,
) -> None:
    """Note a write; outside a transaction (already committed) it takes effect at once."""
    changed = _changed()
    now = changed is None
    if changed is None:
        changed = Changed()
    changed.services.update(service for service in services if service is not None)
    changed.cases.update(case for case in cases if case is not None)
    changed.meetings.update(meetings)
    changed.goals.update(goals)
    changed.children.update(children)
    changed.everything = changed.everything or everything
    if now:
        changed()


def _written(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Case):
        note(services=(instance.owning_yjs_id,))
    elif isinstance(instance, Referral):
        note(services=(instance.referring_yjs_id,), cases=(instance.case_id,))
    elif isinstance(instance, Invitation):
        note(meetings=(instance.meeting_id,))
    elif isinstance(instance, GoalRating):
        note(goals=(instance.goal_id,))
    elif isinstance(instance, Child):
        note(children=(instance.pk,))
    elif isinstance(instance, REFERENCE_ROWS):
        note(everything=True)
    elif isinstance(instance, CaseHolding):
        # A case that moved: the service it left is retired too, not only the one that holds it now.
        note(services=(instance.agency_id,))
    else:
        note(cases=(instance.case_id,))


WATCHED: tuple[type[Model], ...] = (
    Case,
    Referral,
    Invitation,
    GoalRating,
    Child,
    CaseHolding,
    *CASE_ROWS,
    *REFERENCE_ROWS,
)


def connect() -> None:
    """Watch every model a figure reads (called from reporting/apps.py)."""
    for model in WATCHED:
        post_save.connect(_written, sender=model, dispatch_uid=f"reporting-written-{model._meta.label}")
        post_delete.connect(_written, sender=model, dispatch_uid=f"reporting-deleted-{model._meta.label}")
