"""A large invented dataset, made quickly, to see how the reports hold up at the size of a national service.

At scale 1: 150 agencies (110 youth justice services, 10 ECM teams, 25 partner agencies, 5
commissioning bodies), 20,000 cases over the last ten years (for about 18,000 children),
1,000,000 contacts, and in proportion referrals, case holder changes, formulation meetings and
reviews with invitations and attendance, formulation reports, actions (and when each was marked
done), TRM stage assessments, goals with ratings, THRIVE groupings and consultations. Every row is
invented: names from short made-up lists, notes from a few stock phrases.

The big tables are loaded with PostgreSQL COPY, ids reserved from each table's sequence first. By
default the load runs with ``session_replication_role = replica`` (superuser only): PostgreSQL
then skips every trigger, the change-history ones (a history row for each row would double the
work, and nobody ever changed this data) and the foreign-key checks (the ids are made here). The
one piece of history the reports read, when an action was marked done, is written directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Agency
from cases import tallies
from cases.models import Case, Contact
from cases.services.transfers import holdings_backfill
from devtools.scale.bulk import Counts
from devtools.scale.cases import cases_make, consultations_make, contacts_make, holder_changes_make, referrals_make
from devtools.scale.meetings import meetings_make
from devtools.scale.people import Service, agencies_and_people
from formulation.models import Invitation, Meeting, Recommendation
from referrals.models import Referral
from trm_stages.models import GoalRating, Stage, StageAssessment
from trm_stages.selectors import current_version


class CannotSkipTriggers(Exception):
    """Skipping triggers needs a PostgreSQL superuser."""


def seed_scale(*, scale: float, seed: int, label: str, with_history: bool = False) -> Counts:
    """Make the dataset at `scale` (1 = 20,000 cases) in one transaction; the same seed makes the same data."""
    counts = Counts()
    with transaction.atomic():
        if not with_history:
            _skip_triggers()
        services, partners = agencies_and_people(scale=scale, label=label, counts=counts)
        _cases_and_what_follows(
            CaseLoad(scale=scale, seed=seed, label=label), services=services, partners=partners, counts=counts
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        if not with_history:
            tallies.recount()  # the triggers that keep the case tallies were skipped too
    _analyze()
    return counts


@dataclass(frozen=True)
class CaseLoad:
    """What to make for each service: the scale's share of 20,000 cases over ten years, or `cases` over `years`."""

    scale: float
    seed: int
    label: str
    cases: int | None = None
    years: float = 10
    contacts: int | None = None
    not_listed: float = 0.0  # the chance a meeting also invites someone from a "Not listed" agency


def seed_cases_for(
    load: CaseLoad, *, services: list[Service], partners: dict[str, list[Agency]], skip_triggers: bool | None = None
) -> Counts:
    """The same invented cases, meetings, stages and actions for services and partners that exist already.

    For the demo's reporting data (devtools/demo/reporting_data.py): runs in the caller's transaction. Skips
    the triggers (as seed_scale does) when the database user may (`skip_triggers` None), else keeps them.
    """
    counts = Counts()
    with transaction.atomic():
        skip = _may_skip_triggers() if skip_triggers is None else skip_triggers
        if skip:
            _skip_triggers()
        _cases_and_what_follows(load, services=services, partners=partners, counts=counts)
        if skip:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            tallies.recount()  # the triggers that keep the case tallies were skipped too
    return counts


def _cases_and_what_follows(
    load: CaseLoad, *, services: list[Service], partners: dict[str, list[Agency]], counts: Counts
) -> None:
    now = timezone.now()
    rng = random.Random(load.seed)  # noqa: S311 - invented data, nothing secret
    stages = {stage.number: stage.pk for stage in Stage.objects.filter(version=current_version())}
    cases = cases_make(
        scale=load.scale,
        rng=rng,
        label=load.label,
        services=services,
        now=now,
        counts=counts,
        number=load.cases,
        years=load.years,
    )
    referrals_make(rng=rng, cases=cases, now=now, counts=counts)
    holder_changes_make(rng=rng, cases=cases, now=now, counts=counts)
    meetings_make(
        rng=rng, cases=cases, partners=partners, stages=stages, now=now, counts=counts, not_listed=load.not_listed
    )
    consultations_make(rng=rng, cases=cases, now=now, counts=counts)
    contacts_make(scale=load.scale, rng=rng, cases=cases, now=now, counts=counts, number=load.contacts)
    holdings_backfill()  # each case's first spell with its service (the trigger that adds it was skipped)


def _analyze() -> None:
    with connection.cursor() as cursor:
        for model in (Case, Contact, Referral, Meeting, Invitation, Recommendation, StageAssessment, GoalRating):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _may_skip_triggers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        [(superuser,)] = cursor.fetchall()
    return bool(superuser)


def _skip_triggers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        [(superuser,)] = cursor.fetchall()
        if not superuser:
            raise CannotSkipTriggers("Skipping triggers needs a PostgreSQL superuser: use --with-history instead")
        cursor.execute("SET LOCAL session_replication_role = replica")
