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

from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case, Contact
from cases.services.transfers import holdings_backfill
from devtools.scale.bulk import Counts
from devtools.scale.cases import cases_make, consultations_make, contacts_make, holder_changes_make, referrals_make
from devtools.scale.meetings import meetings_make
from devtools.scale.people import agencies_and_people
from formulation.models import Invitation, Meeting, Recommendation
from referrals.models import Referral
from trm_stages.models import GoalRating, Stage, StageAssessment
from trm_stages.selectors import current_version


class CannotSkipTriggers(Exception):
    """Skipping triggers needs a PostgreSQL superuser."""


def seed_scale(*, scale: float, seed: int, label: str, with_history: bool = False) -> Counts:
    """Make the dataset at `scale` (1 = 20,000 cases) in one transaction; the same seed makes the same data."""
    counts = Counts()
    now = timezone.now()
    rng = random.Random(seed)  # noqa: S311 - invented data, nothing secret
    with transaction.atomic():
        if not with_history:
            _skip_triggers()
        services, partners = agencies_and_people(scale=scale, label=label, counts=counts)
        stages = {stage.number: stage.pk for stage in Stage.objects.filter(version=current_version())}
        cases = cases_make(scale=scale, rng=rng, label=label, services=services, now=now, counts=counts)
        referrals_make(rng=rng, cases=cases, now=now, counts=counts)
        holder_changes_make(rng=rng, cases=cases, now=now, counts=counts)
        meetings_make(rng=rng, cases=cases, partners=partners, stages=stages, now=now, counts=counts)
        consultations_make(rng=rng, cases=cases, now=now, counts=counts)
        contacts_make(scale=scale, rng=rng, cases=cases, now=now, counts=counts)
        holdings_backfill()  # each case's first spell with its service (the trigger that adds it was skipped)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
    with connection.cursor() as cursor:
        for model in (Case, Contact, Referral, Meeting, Invitation, Recommendation, StageAssessment, GoalRating):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return counts


def _skip_triggers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        [(superuser,)] = cursor.fetchall()
        if not superuser:
            raise CannotSkipTriggers("Skipping triggers needs a PostgreSQL superuser: use --with-history instead")
        cursor.execute("SET LOCAL session_replication_role = replica")
