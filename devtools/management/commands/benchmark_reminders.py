"""How long the reminder sweep takes over N open due items (100,000 by default).

Everything is made inside one transaction that is rolled back at the end, so the database is left
as it was (and no e-mail leaves: delivery is timed with the in-memory e-mail backend). Each kind
of due item has a filler in FILLERS; a source added later (actions, reviews) adds its filler there
and is benchmarked with ``--items <name>`` (``--items actions``: open actions, due soon and overdue).
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import pgtrigger
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import override_settings
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import AgencyKind, Role
from accounts.services import agency_create, coverage_add, membership_add, user_create
from cases.models import Case, Child
from formulation.models import Recommendation
from referrals.models import Referral, ReferralStatus
from reviews.models import Reminder
from reviews.reminders import reminders_deliver, reminders_sweep

BATCH = 5_000


class Rollback(Exception):
    """Raised to undo everything the benchmark made."""


def clone_rows(template: Model, count: int, overrides: dict[str, str]) -> None:
    """Add `count` copies of `template`'s row in one INSERT ... SELECT over generate_series(1, count).

    Every column is copied as Django saved it, so no default is missed; `overrides` maps a
    column to an SQL expression of `n`, the copy's number (write % as %%). Far quicker than building the rows
    in Python, and the history triggers run in the database.
    """
    meta = type(template)._meta
    quote = connection.ops.quote_name
    columns = [field.column for field in meta.concrete_fields if not field.primary_key]
    values = [overrides.get(column, f"template.{quote(column)}") for column in columns]
    table = quote(meta.db_table)
    statement = (
        f"INSERT INTO {table} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608 - model names
        f"SELECT {', '.join(values)} FROM {table} AS template CROSS JOIN generate_series(1, %s) AS n "
        f"WHERE template.{quote(meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (count, template.pk))


def fill_waiting_referrals(count: int, today: dt.date) -> str:
    """`count` referrals waiting for triage 3 to 40 weeks, at one new service covered by one
    psychologist and one senior practitioner (two reminders each)."""
    token = secrets.token_hex(4)
    yjs = agency_create(name=f"Benchmark YJS {token}", kind=AgencyKind.YOUTH_JUSTICE)
    team = agency_create(name=f"Benchmark ECM team {token}", kind=AgencyKind.ECM_TEAM)
    people = {}
    for role, agency in [
        (Role.CASE_MANAGER, yjs),
        (Role.PSYCHOLOGIST, team),
        (Role.SENIOR_PRACTITIONER, team),
    ]:
        username = f"bench-{role}-{token}"
        person = user_create(
            username=username, email=f"{username}@bench.ecm.invalid", first_name="Bench", last_name=role
        )
        membership_add(user=person, agency=agency, role=role)
        if role != Role.CASE_MANAGER:
            coverage_add(clinician=person, yjs=yjs)
        people[role] = person
    with acting_as(people[Role.CASE_MANAGER]):
        children = Child.objects.bulk_create(
            [
                Child(given_name=f"Bench{number}", family_name="Child", date_of_birth=dt.date(2010, 1, 1))
                for number in range(max(count // 100, 1))
            ],
            batch_size=BATCH,
        )
        noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
        template = Referral.objects.create(
            child=children[0],
            referring_yjs=yjs,
            referrer=people[Role.CASE_MANAGER],
            status=ReferralStatus.SUBMITTED,
            submitted_at=noon - dt.timedelta(days=21),
        )
        child_ids = ", ".join(str(int(child.pk)) for child in children)
        # The copies are thrown away with the transaction, so they skip the change-history trigger:
        # its cost grows faster than the rows do (10,000 rows 2.5 s, 20,000 rows 11 s, here).
        with pgtrigger.ignore("referrals.Referral:insert_insert"):
            clone_rows(
                template,
                count - 1,
                {
                    # Spread over the children, and over 21 to 280 days of waiting.
                    "child_id": f"(ARRAY[{child_ids}]::bigint[])[1 + n %% {len(children)}]",
                    "submitted_at": "template.submitted_at - (n %% 260) * interval '1 day'",
                },
            )
    return f"{count:,} referrals waiting for triage, covered by 2 clinicians"


ACTION_OWNERS = 50


def fill_open_actions(count: int, today: dt.date) -> str:
    """`count` open actions on the cases of one new service (a hundred actions a case), owned by 50
    people and due from 60 days ago to 60 days ahead: half are overdue, one in fifteen due within a week."""
    token = secrets.token_hex(4)
    yjs = agency_create(name=f"Benchmark YJS {token}", kind=AgencyKind.YOUTH_JUSTICE)
    owners = []
    for number in range(ACTION_OWNERS):
        username = f"bench-owner-{number}-{token}"
        owners.append(
            user_create(username=username, email=f"{username}@bench.ecm.invalid", first_name="Bench", last_name="Owner")
        )
    holder = owners[0]
    membership_add(user=holder, agency=yjs, role=Role.CASE_MANAGER)
    with acting_as(holder):
        children = Child.objects.bulk_create(
            [
                Child(given_name=f"Bench{number}", family_name="Child", date_of_birth=dt.date(2010, 1, 1))
                for number in range(max(count // 100, 1))
            ],
            batch_size=BATCH,
        )
        cases = Case.objects.bulk_create(
            [Case(child=child, owning_yjs=yjs, case_holder=holder) for child in children], batch_size=BATCH
        )
        template = Recommendation.objects.create(
            case=cases[0],
            text="Benchmark action",
            suits_from_stage=1,
            owner=holder,
            due_on=today,
            became_action_at=timezone.now(),
        )
        case_ids = ", ".join(str(int(case.pk)) for case in cases)
        owner_ids = ", ".join(str(int(owner.pk)) for owner in owners)
        with pgtrigger.ignore("formulation.Recommendation:insert_insert"):
            clone_rows(
                template,
                count - 1,
                {
                    "case_id": f"(ARRAY[{case_ids}]::bigint[])[1 + n %% {len(cases)}]",
                    "owner_id": f"(ARRAY[{owner_ids}]::bigint[])[1 + n %% {ACTION_OWNERS}]",
                    "due_on": "template.due_on + ((n %% 121) - 60)",
                },
            )
    return f"{count:,} open actions owned by {ACTION_OWNERS} people, half of them overdue"


FILLERS: dict[str, Callable[[int, dt.date], str]] = {
    "referrals": fill_waiting_referrals,
    "actions": fill_open_actions,
}


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


class Command(BaseCommand):
    help = "Time the reminder sweep over N open due items, in a transaction that is rolled back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=100_000, help="open due items to make (100,000)")
        parser.add_argument("--items", choices=sorted(FILLERS), default="referrals", help="which kind of item")
        parser.add_argument("--runs", type=int, default=3, help="timed runs of each sweep (the median is shown)")
        parser.add_argument("--deliver", type=int, default=1_000, help="reminders to deliver, timed (0: none)")

    def handle(self, *args: Any, count: int, items: str, runs: int, deliver: int, **options: Any) -> None:
        today = timezone.localdate()
        try:
            with transaction.atomic():
                self._run(today=today, count=count, items=items, runs=runs, deliver=deliver)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write("Cleaned up: everything was made in one transaction and rolled back.")

    def _run(self, *, today: dt.date, count: int, items: str, runs: int, deliver: int) -> None:
        seconds, described = _timed(lambda: FILLERS[items](count, today))
        self.stdout.write(f"Made {described} in {seconds:.1f} s.")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        first_runs, created = [], 0
        for _ in range(runs):
            savepoint = transaction.savepoint()
            seconds, added = _timed(lambda: reminders_sweep(today=today))
            first_runs.append(seconds)
            created = sum(added.values())
            transaction.savepoint_rollback(savepoint)
        self.stdout.write(
            f"First sweep (writes {created:,} reminders): median {statistics.median(first_runs):.2f} s "
            f"of {runs} ({', '.join(f'{run:.2f}' for run in first_runs)})."
        )

        reminders_sweep(today=today)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after the sweep's insert
        repeat_runs = [_timed(lambda: reminders_sweep(today=today))[0] for _ in range(runs)]
        self.stdout.write(
            f"Repeat sweep (every reminder exists already, adds none): median {statistics.median(repeat_runs):.2f} s "
            f"of {runs} ({', '.join(f'{run:.2f}' for run in repeat_runs)})."
        )
        self.stdout.write(f"Reminders waiting for delivery: {Reminder.objects.filter(sent_at__isnull=True).count():,}.")

        if deliver:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                seconds, report = _timed(lambda: reminders_deliver(limit=deliver, seconds=3600))
            rate = report.handled / seconds if seconds else 0.0
            self.stdout.write(
                f"Delivered {report.handled:,} (notification and e-mail each) in {seconds:.2f} s: {rate:,.0f} a second."
            )
