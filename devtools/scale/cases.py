"""seed_scale's children and cases, and what hangs off a case without a meeting: referrals, case
holder changes, consultations and contacts. Loaded with COPY."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cases.models import (
    Case,
    CaseHolderChange,
    CaseKind,
    Child,
    Consultation,
    Contact,
    ContactKind,
    Ethnicity,
    Gender,
    LookedAfter,
)
from devtools.scale.bulk import Counts, between, copy_rows, reserve_ids
from devtools.scale.people import FULL, Service
from referrals.models import ComplexNeed, Referral, TriageDecision

GIVEN = [
    "Arlo", "Bea", "Cai", "Dilys", "Eben", "Fen", "Gethin", "Hester", "Ines", "Jago", "Kit", "Lark",
    "Merryn", "Nye", "Orla", "Pip", "Quill", "Rhosyn", "Sorrel", "Tamsin", "Ula", "Vesper", "Wynn", "Yestin",
]  # fmt: skip
FAMILY = [
    "Abernant", "Bramblecombe", "Carrow", "Dunmere", "Elderfield", "Fowey", "Garrowby", "Hallowmere",
    "Inchcombe", "Jessop-Vane", "Kestlemere", "Lathwell", "Morrowby", "Nettlecombe", "Otterhay", "Pellow",
    "Quenby", "Rushmere", "Saltcote", "Trevanion", "Underhay", "Vellacott", "Wrenshaw", "Yarcombe",
]  # fmt: skip
NOTES = [
    "Met at the youth centre; talked about the week and the plan for college.",
    "Phone call to check in after the review; arranged the next visit.",
    "Home visit with the carer; routine for mornings agreed.",
    "Did not come to the appointment; left a text to rearrange.",
    "School visit with the designated teacher; timetable changes discussed.",
]
WITH_WHOM = ["The young person", "The young person and carer", "The carer", "The designated teacher", "Social worker"]


@dataclass
class SeededCase:
    id: int
    service: Service
    child_id: int
    kind: str
    opened: dt.datetime
    closed: dt.datetime | None
    holder: int
    psychologist: int | None
    senior: int | None
    # Filled in as meetings are made: when each held meeting was, and the stage at each.
    meetings: list[dt.datetime] = field(default_factory=list)

    def end(self, now: dt.datetime) -> dt.datetime:
        return self.closed or now


def cases_make(
    *,
    scale: float,
    rng: random.Random,
    label: str,
    services: list[Service],
    now: dt.datetime,
    counts: Counts,
    number: int | None = None,
    years: float = 10,
) -> list[SeededCase]:
    """Cases opened evenly over the last ten years (or `years`), three in four for formulation; their children first.

    `number` cases when given (the demo's reporting data), else the scale's share of the full size.
    """
    number = number if number is not None else max(10, round(FULL["cases"] * scale))
    # About one child in ten is referred twice: 20,000 cases for about 18,000 children.
    child_ids = reserve_ids(Child, max(1, round(number * 0.9)))
    case_ids = reserve_ids(Case, number)
    ten_years_ago = now - dt.timedelta(days=round(365.25 * years))
    cases: list[SeededCase] = []
    rows = []
    for position, case_id in enumerate(case_ids):
        service = rng.choice(services)
        kind = CaseKind.FORMULATION if rng.random() < 0.75 else CaseKind.CONSULTATION
        opened = between(rng, ten_years_ago, now)
        months = rng.uniform(3, 18) if kind == CaseKind.FORMULATION else rng.uniform(1, 4)
        closes = opened + dt.timedelta(days=months * 30.4)
        closed = closes if closes < now else None
        seeded = SeededCase(
            id=case_id,
            service=service,
            # Every child has a case; the rest go to children already met (a second referral).
            child_id=child_ids[position] if position < len(child_ids) else rng.choice(child_ids),
            kind=kind,
            opened=opened,
            closed=closed,
            holder=rng.choice(service.case_managers),
            psychologist=rng.choice(service.psychologists),
            senior=rng.choice(service.seniors) if kind == CaseKind.FORMULATION else None,
        )
        cases.append(seeded)
        rows.append(
            (
                case_id,
                seeded.child_id,
                service.agency.pk,
                seeded.holder,
                kind,
                seeded.psychologist,
                seeded.senior,
                "closed" if closed else "open",
                opened,
                closed,
                seeded.holder if closed else None,
                "goals_met" if closed else "",
                "",
                "",
            )
        )
    first_opened: dict[int, dt.datetime] = {}
    for seeded in cases:
        first_opened[seeded.child_id] = min(seeded.opened, first_opened.get(seeded.child_id, seeded.opened))
    children = []
    for position, child_id in enumerate(child_ids):
        # 10 to 17 years old when first referred, as the children ECM works with mostly are.
        born = timezone.localdate(first_opened[child_id]) - dt.timedelta(days=rng.uniform(10, 17.99) * 365.25)
        children.append(
            (
                child_id,
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                born,
                f"{label[:3].upper()}-{position:07d}",
                rng.choices(Gender.values, weights=[22, 72, 2, 1, 3])[0],
                rng.choices(Ethnicity.values, weights=[6, 9, 8, 70, 3, 4])[0],
                rng.choices(LookedAfter.values, weights=[70, 18, 6, 6])[0],
                "none",
                "",
                "",
                now,
            )
        )
    columns = [
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "reference",
        "gender",
        "ethnicity",
        "looked_after",
        "legal_status",
        "address_area",
        "school",
        "created_at",
    ]
    counts.add("children", copy_rows(Child, columns, children))
    counts.add(
        "cases",
        copy_rows(
            Case,
            [
                "id",
                "child_id",
                "owning_yjs_id",
                "case_holder_id",
                "kind",
                "psychologist_id",
                "senior_practitioner_id",
                "status",
                "opened_at",
                "closed_at",
                "closed_by_id",
                "closure_reason",
                "outcome_summary",
                "ending_plan",
            ],
            rows,
        ),
    )
    return cases


def referrals_make(*, rng: random.Random, cases: list[SeededCase], now: dt.datetime, counts: Counts) -> None:
    """One accepted referral per case, about 15% more not accepted, and a few still waiting for triage."""
    extra = round(len(cases) * 0.15)
    waiting = max(1, round(len(cases) * 0.01))
    ids = iter(reserve_ids(Referral, len(cases) + extra + waiting))
    needs = ComplexNeed.values

    def row(
        child: int,
        service: Service,
        sent: dt.datetime,
        decided: dt.datetime | None,
        decision: str,
        case: int | None,
    ) -> tuple[Any, ...]:
        status = {
            "": "submitted",
            TriageDecision.FORMULATION: "accepted_formulation",
            TriageDecision.CONSULTATION: "accepted_consultation",
            TriageDecision.NOT_ACCEPTED: "not_accepted",
        }[decision]
        days = (timezone.localdate(decided) - timezone.localdate(sent)).days if decided else None
        return (
            next(ids), child, service.agency.pk, rng.choice(service.case_managers), status,
            "Invented referral for the scale test.", rng.sample(needs, rng.randint(1, 3)), "", "", "",
            rng.choices(["routine", "soon", "urgent"], weights=[6, 3, 1])[0],
            "given", "given", True, "The young person and carer", timezone.localdate(sent), "",
            sent, sent, sent, decision, "", "", service.psychologists[0] if decided else None, decided, days, case,
        )  # fmt: skip

    def rows() -> Iterable[tuple[Any, ...]]:
        for case in cases:
            sent = case.opened - dt.timedelta(days=rng.uniform(1, 45))
            yield row(case.child_id, case.service, sent, case.opened, case.kind, case.id)
        for _ in range(extra):
            case = rng.choice(cases)
            sent = case.opened - dt.timedelta(days=rng.uniform(60, 400))
            decided = sent + dt.timedelta(days=rng.uniform(1, 40))
            yield row(case.child_id, case.service, sent, decided, TriageDecision.NOT_ACCEPTED, None)
        for _ in range(waiting):
            case = rng.choice(cases)
            yield row(case.child_id, case.service, now - dt.timedelta(days=rng.uniform(0, 30)), None, "", None)

    columns = [
        "id", "child_id", "referring_yjs_id", "referrer_id", "status", "reasons", "complex_needs", "current_risks",
        "agencies_involved", "tried_before", "urgency", "child_consent", "carer_consent", "consent_covers_sharing",
        "consent_given_by", "consent_date", "consent_override_reason", "created_at", "updated_at", "submitted_at",
        "decision", "decision_reason", "signposting", "decided_by_id", "decided_at", "days_to_decision", "case_id",
    ]  # fmt: skip
    counts.add("referrals", copy_rows(Referral, columns, rows()))


def holder_changes_make(*, rng: random.Random, cases: list[SeededCase], now: dt.datetime, counts: Counts) -> None:
    """The first holder of every case, and a change of holder about once every two and a half case-years."""
    changes: list[tuple[int, int | None, int, str, int, dt.datetime]] = []
    for case in cases:
        changes.append((case.id, None, case.holder, "Case opened", case.holder, case.opened))
        years = (case.end(now) - case.opened).days / 365.25
        for _ in range(int(years * 0.4 + rng.random())):
            others = [person for person in case.service.case_managers if person != case.holder]
            changes.append(
                (
                    case.id,
                    case.holder,
                    rng.choice(others),
                    "Caseload rebalanced",
                    case.holder,
                    between(rng, case.opened, case.end(now)),
                )
            )
    ids = reserve_ids(CaseHolderChange, len(changes))
    columns = ["id", "case_id", "previous_holder_id", "new_holder_id", "reason", "changed_by_id", "changed_at"]
    counts.add(
        "case holder changes",
        copy_rows(CaseHolderChange, columns, ((pk, *change) for pk, change in zip(ids, changes, strict=True))),
    )


def consultations_make(*, rng: random.Random, cases: list[SeededCase], now: dt.datetime, counts: Counts) -> None:
    """Three in four consultation cases have one to three consultations; one formulation case in ten has one."""
    rows = []
    for case in cases:
        number = rng.randint(1, 3) if case.kind == CaseKind.CONSULTATION else int(rng.random() < 0.1)
        for _ in range(number):
            held = between(rng, case.opened, case.end(now))
            rows.append((case.id, timezone.localdate(held), "The case manager", "An invented question",
                         "Invented advice", "", rng.choice([45, 60, 90]), case.psychologist, held))  # fmt: skip
    columns = ["id", "case_id", "held_on", "attendees", "question", "advice", "follow_up", "minutes_spent",
               "psychologist_id", "recorded_at"]  # fmt: skip
    ids = reserve_ids(Consultation, len(rows))
    counts.add(
        "consultations",
        copy_rows(Consultation, columns, ((pk, *row) for pk, row in zip(ids, rows, strict=True))),
    )


def contacts_make(
    *,
    scale: float,
    rng: random.Random,
    cases: list[SeededCase],
    now: dt.datetime,
    counts: Counts,
    number: int | None = None,
) -> None:
    """Contacts spread over the cases in proportion to how long each was open (`number` of them when given)."""
    target = max(len(cases), number if number is not None else round(FULL["contacts"] * scale))
    spans = [max((case.end(now) - case.opened).total_seconds(), 86400.0) for case in cases]
    total = sum(spans)
    shares = [int(target * span / total) for span in spans]
    for index in rng.sample(range(len(cases)), target - sum(shares)):
        shares[index] += 1
    ids = iter(reserve_ids(Contact, target))
    kinds = ContactKind.values

    def rows() -> Iterable[tuple[Any, ...]]:
        for case, share in zip(cases, shares, strict=True):
            end = case.end(now)
            for _ in range(share):
                when = between(rng, case.opened, end)
                yield (next(ids), case.id, when, rng.choice(kinds), rng.choice(WITH_WHOM),
                       rng.choice([15, 30, 45, 60]), rng.choice(NOTES), rng.random() < 0.03, case.holder,
                       when)  # fmt: skip

    columns = ["id", "case_id", "occurred_at", "kind", "with_whom", "duration_minutes", "note", "restricted",
               "recorded_by_id", "recorded_at"]  # fmt: skip
    counts.add("contacts", copy_rows(Contact, columns, rows()))
