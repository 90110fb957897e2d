"""A small, fixed world for the report tests: every row written out here, so every figure can be
worked out by hand (tests/reporting/test_figures.py does, line by line).

The period is the calendar year 2025. Bristol YJS and BANES YJS are commissioned by the cast's
Westcombe ICB; Wyvern YJS is not, and its case must never count. All children are invented.

Cases (opened on the day of the triage decision, at midnight UK time):

| case | child            | service | opened     | closed     | kind         |
| B0   | Mabli Rowntree   | Bristol | 2024-01-10 | 2024-12-20 | formulation  |  (not in the period)
| B1   | Ollie Quarrington| Bristol | 2025-01-16 |            | formulation  |
| B2   | Amara Fieldhouse | Bristol | 2025-02-07 |            | formulation  |
| B3   | Reuben Staithes  | Bristol | 2025-01-09 |            | formulation  |
| B4   | Tegan Marwood    | Bristol | 2025-03-31 | 2025-09-30 | consultation |
| B5   | Idris Penhallow  | Bristol | 2025-03-20 |            | formulation  |
| B6   | Saffi Brandreth  | Bristol | 2025-04-16 |            | formulation  |
| N1   | Lowen Carbery    | BANES   | 2025-03-17 |            | formulation  |
| N2   | Nia Tremayne     | BANES   | 2025-05-06 | 2025-08-01 | consultation |
| W1   | Wren Oakhanger   | Wyvern  | 2025-03-10 |            | formulation  |  (not commissioned)
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pgtrigger
import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Role, User
from cases.models import (
    Case,
    CaseHolderChange,
    CaseKind,
    CaseStatus,
    Child,
    Consultation,
    Contact,
    ContactKind,
)
from formulation.models import (
    FormulationReport,
    Invitation,
    Meeting,
    MeetingStatus,
    Recommendation,
    ReportStatus,
)
from referrals.models import DECISION_STATUS, Referral, ReferralStatus, TriageDecision
from reporting.scope import ReportScope
from reporting.services import commissioning_add
from tests.conftest import Cast
from tests.factories import agency, person
from trm_stages.models import Goal, GoalRating, Stage, StageAssessment, ThriveGrouping
from trm_stages.selectors import current_version

PERIOD_START = dt.date(2025, 1, 1)
PERIOD_END = dt.date(2025, 12, 31)
TODAY = dt.date(2026, 1, 15)


def at(day: str, hour: int = 0) -> dt.datetime:
    """A UK wall-clock time on a day written as YYYY-MM-DD."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass
class World:
    cast: Cast
    health: Agency
    wyvern: Agency
    cases: dict[str, Case]
    children: dict[str, Child]
    # Every identifying or free-text string written into the world: none may reach a report.
    secrets: list[str] = field(default_factory=list)

    def scope(self, *, agencies: tuple[Agency, ...] | None = None, today: dt.date = TODAY) -> ReportScope:
        chosen = agencies if agencies is not None else (self.cast.banes, self.cast.bristol)
        return ReportScope(start=PERIOD_START, end=PERIOD_END, agencies=chosen, today=today)


CHILDREN = {
    # key: (given, family, born, reference, gender, ethnicity, looked after)
    "B0": ("Mabli", "Rowntree", "2008-08-08", "REF-900011", "girl", "white", "no"),
    "B1": ("Ollie", "Quarrington", "2011-02-10", "REF-900001", "boy", "white", "no"),
    "B2": ("Amara", "Fieldhouse", "2009-06-30", "REF-900002", "girl", "black", "looked_after"),
    "B3": ("Reuben", "Staithes", "2008-01-15", "REF-900003", "boy", "mixed", "care_leaver"),
    "B4": ("Tegan", "Marwood", "2010-09-09", "REF-900004", "girl", "white", "no"),
    "B5": ("Idris", "Penhallow", "2012-03-03", "REF-900005", "boy", "asian", "not_known"),
    "B6": ("Saffi", "Brandreth", "2006-04-20", "REF-900006", "non_binary", "white", "looked_after"),
    "N1": ("Lowen", "Carbery", "2011-11-11", "REF-900007", "boy", "white", "no"),
    "N2": ("Nia", "Tremayne", "2009-12-25", "REF-900008", "girl", "other", "no"),
    "C9": ("Harvey", "Gullane", "2010-05-05", "REF-900009", "boy", "white", "no"),
    "W1": ("Wren", "Oakhanger", "2010-01-01", "REF-900010", "girl", "white", "no"),
}

CASES = {
    # key: (service, opened, closed, kind)
    "B0": ("bristol", "2024-01-10", "2024-12-20", CaseKind.FORMULATION),
    "B1": ("bristol", "2025-01-16", None, CaseKind.FORMULATION),
    "B2": ("bristol", "2025-02-07", None, CaseKind.FORMULATION),
    "B3": ("bristol", "2025-01-09", None, CaseKind.FORMULATION),
    "B4": ("bristol", "2025-03-31", "2025-09-30", CaseKind.CONSULTATION),
    "B5": ("bristol", "2025-03-20", None, CaseKind.FORMULATION),
    "B6": ("bristol", "2025-04-16", None, CaseKind.FORMULATION),
    "N1": ("banes", "2025-03-17", None, CaseKind.FORMULATION),
    "N2": ("banes", "2025-05-06", "2025-08-01", CaseKind.CONSULTATION),
    "W1": ("wyvern", "2025-03-10", None, CaseKind.FORMULATION),
}

REFERRALS: list[tuple[str, str, str | None, str | None, str | None, str | None, list[str]]] = [
    # (child, service, submitted, decided, decision, case, needs)
    ("B1", "bristol", "2025-01-06", "2025-01-16", TriageDecision.FORMULATION, "B1", ["mental_health"]),
    ("B2", "bristol", "2025-02-03", "2025-02-07", TriageDecision.FORMULATION, "B2", ["self_harm", "abuse"]),
    ("B3", "bristol", "2024-11-20", "2025-01-09", TriageDecision.FORMULATION, "B3", ["behaviour"]),
    ("B4", "bristol", "2025-03-10", "2025-03-31", TriageDecision.CONSULTATION, "B4", ["mental_health"]),
    ("B5", "bristol", "2025-03-12", "2025-03-20", TriageDecision.FORMULATION, "B5", []),
    ("B6", "bristol", "2025-03-14", "2025-04-16", TriageDecision.FORMULATION, "B6", ["substance_use"]),
    ("N1", "banes", "2025-03-03", "2025-03-17", TriageDecision.FORMULATION, "N1", ["mental_health"]),
    ("N2", "banes", "2025-05-05", "2025-05-06", TriageDecision.CONSULTATION, "N2", []),
    ("C9", "bristol", "2025-03-20", "2025-03-27", TriageDecision.NOT_ACCEPTED, None, ["mental_health"]),
    ("W1", "wyvern", "2025-03-05", "2025-03-10", TriageDecision.FORMULATION, "W1", ["mental_health"]),
    # Waiting for triage at the end of the period, and a draft that was never sent.
    ("C9", "bristol", "2025-12-15", None, None, None, []),
    ("B1", "bristol", None, None, None, None, []),
]

MEETINGS: list[tuple[str, str, str, str, list[tuple[Any, ...]]]] = [
    # (case, purpose, day, status, invitations: (agency key or None, attendance, removed))
    (
        "B1",
        "formulation",
        "2025-02-10",
        "held",
        [("school", "attended"), ("health", "attended"), (None, "attended"), ("bristol", "attended")],
    ),
    ("B1", "review", "2025-04-07", "held", [("school", "attended")]),
    ("B1", "review", "2025-06-02", "held", []),
    ("B1", "formulation", "2025-09-01", "held", [("school", "attended")]),
    (
        "B2",
        "formulation",
        "2025-03-03",
        "held",
        [("school", "attended"), ("health", "apologies"), ("social", "attended")],
    ),
    ("B2", "review", "2025-05-05", "held", []),
    ("B3", "formulation", "2025-02-20", "held", [("school", "apologies"), ("social", "attended")]),
    ("B3", "review", "2025-04-17", "held", []),
    ("B5", "formulation", "2025-04-14", "held", [("school", "attended"), ("voluntary", "attended", True)]),
    ("B5", "review", "2026-01-10", "scheduled", [("school", "not_recorded")]),
    ("B6", "formulation", "2025-05-20", "cancelled", [("school", "not_recorded")]),
    ("B6", "formulation", "2025-06-02", "held", [("school", "did_not_attend"), ("voluntary", "not_recorded")]),
    ("N1", "formulation", "2025-04-07", "held", [("school", "attended"), ("health", "attended")]),
    ("N1", "review", "2025-06-30", "held", []),
    ("W1", "formulation", "2025-04-01", "held", [("school", "attended")]),
]

REPORTS = [
    # (case, version, signed off on or None for a draft)
    ("B1", 1, "2025-03-10"),
    ("B1", 2, "2025-09-15"),
    ("B2", 1, "2025-04-01"),
    ("B3", 1, "2025-03-20"),
    ("N1", 1, "2025-05-12"),
    ("B6", 1, "2026-01-20"),
    ("W1", 1, "2025-04-20"),
    ("B5", 1, None),
]

ACTIONS: list[tuple[str, str | None, str, str, str | None, bool]] = [
    # (case, owner agency key or None, due, status, marked done on, signed off)
    ("B1", "school", "2025-04-30", "done", "2025-04-20", True),
    ("B1", "health", "2025-05-31", "done", "2025-06-10", True),
    ("B2", "school", "2025-06-30", "in_progress", None, True),
    ("B2", "social", "2025-07-31", "no_longer_needed", None, True),
    ("B3", "school", "2025-08-31", "done", "2025-08-01", True),
    ("B3", "health", "2025-09-30", "not_started", None, True),
    ("N1", "school", "2025-06-15", "done", "2025-06-15", True),
    ("B5", "health", "2025-06-30", "in_progress", None, False),  # a draft's recommendation: not an action
    ("B6", "school", "2026-03-01", "not_started", None, True),  # due after the period
    ("B1", None, "2025-10-31", "done", "2025-10-01", True),
    ("B6", "health", "2025-12-01", "in_progress", None, True),
    ("W1", "school", "2025-06-01", "done", "2025-05-01", True),
    ("B1", "school", "2025-11-30", "done", "2025-11-01", True),
    ("B2", "school", "2025-12-31", "done", "2025-12-20", True),
]

ASSESSMENTS = [
    # (case, assessed on, stage)
    ("B1", "2025-02-10", 1),
    ("B1", "2025-04-07", 2),
    ("B1", "2025-06-02", 3),
    ("B2", "2025-03-03", 2),
    ("B2", "2025-05-05", 2),
    ("B2", "2025-08-01", 1),
    ("B3", "2024-12-01", 1),
    ("B3", "2025-02-20", 1),
    ("B3", "2025-04-17", 2),
    ("B3", "2026-02-01", 3),
    ("B5", "2025-04-14", 2),
    ("B6", "2025-06-02", 4),
    ("B6", "2025-10-01", 5),
    ("N1", "2025-04-07", 1),
    ("N1", "2025-06-30", 1),
    ("W1", "2025-04-01", 1),
    ("W1", "2025-07-01", 3),
]

GOALS = [
    # (case, [(rated on, score), ...]) - the first rating is the start
    ("B1", [("2025-02-10", 2), ("2025-06-02", 6)]),
    ("B1", [("2025-02-10", 5), ("2025-09-01", 5)]),
    ("B2", [("2025-03-03", 7), ("2025-08-01", 4)]),
    ("B3", [("2025-02-20", 1), ("2025-04-17", 3), ("2026-02-01", 9)]),
    ("B6", [("2025-06-02", 3)]),
    ("N1", [("2025-04-07", 4), ("2025-06-30", 8)]),
    ("B5", [("2025-04-14", 2), ("2025-05-14", 3)]),
    ("B0", [("2024-02-01", 1), ("2025-03-01", 9)]),
]

THRIVE = [
    ("B6", "getting_risk_support", "2025-05-01"),
    ("B5", "getting_help", "2025-04-14"),
    ("B3", "getting_more_help", "2026-02-01"),
]

HOLDER_CHANGES = [
    # (case, previous holder, new holder, changed on)
    ("B1", "case_manager", "colleague", "2025-05-01"),
    ("B1", "colleague", "case_manager", "2025-08-01"),
    ("B3", "case_manager", "colleague", "2025-03-01"),
    ("B0", "case_manager", "colleague", "2024-06-01"),
    ("W1", "wyvern_manager", "wyvern_colleague", "2025-06-01"),
]

CONSULTATIONS = [("B4", "2025-04-10"), ("B4", "2025-06-12"), ("N2", "2025-05-20"), ("B1", "2025-01-30")]
CONSULTATIONS_OUTSIDE = [("W1", "2025-04-10"), ("B4", "2026-01-05")]

FREE_TEXT = {
    "reason": "Ollie has been excluded twice this term after fights on the bus",
    "note": "Amara disclosed that her uncle visits the flat at night",
    "meeting_notes": "Reuben's nan says he sleeps at a friend's on Fridays",
    "recommendation": "Tegan's mentor to meet her at the gates every Monday",
    "goal": "I want to see my little brother at weekends",
    "evidence": "Idris now waits behind after sessions to talk",
    "consultation": "How to respond when Saffi goes missing from placement",
}

_uids = itertools.count(1)


def _mark_done(action: Recommendation, on: dt.datetime) -> None:
    """Mark an action done as if on `on`: its change history dates the change (the report reads it)."""
    history = apps.get_model("formulation", "RecommendationHistory")
    with pgtrigger.ignore("formulation.Recommendation:update_update"):
        Recommendation.objects.filter(pk=action.pk).update(status="done")
    action.refresh_from_db()
    snapshot: dict[str, Any] = {
        model_field.attname: getattr(action, model_field.attname)
        for model_field in history._meta.concrete_fields
        if not model_field.name.startswith("pgh_")
    }
    with time_machine.travel(on, tick=False):
        history.objects.create(pgh_label="update", pgh_obj_id=action.pk, **snapshot)


def build_world(cast: Cast) -> World:
    health = agency("Riverside Community Health", AgencyKind.HEALTH)
    voluntary = agency("Harbourside Youth Trust", AgencyKind.VOLUNTARY)
    wyvern = agency("Wyvern YJS", AgencyKind.YOUTH_JUSTICE)
    wyvern_manager = person("wyn", "Wyn", "Ashcombe", agency=wyvern, role=Role.CASE_MANAGER)
    wyvern_colleague = person("ffion", "Ffion", "Braddock", agency=wyvern, role=Role.CASE_MANAGER)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.banes)
    services = {"bristol": cast.bristol, "banes": cast.banes, "wyvern": wyvern}
    agencies = {"school": cast.school, "health": health, "social": cast.social_care, "voluntary": voluntary}
    agencies.update(services)
    holders = {"bristol": cast.case_manager, "banes": cast.banes_case_manager, "wyvern": wyvern_manager}
    people: dict[str, User] = {
        "case_manager": cast.case_manager,
        "colleague": cast.colleague,
        "wyvern_manager": wyvern_manager,
        "wyvern_colleague": wyvern_colleague,
    }
    actor = cast.psychologist
    stages = {stage.number: stage for stage in Stage.objects.filter(version=current_version())}
    world = World(cast=cast, health=health, wyvern=wyvern, cases={}, children={})
    world.secrets.extend(FREE_TEXT.values())
    with acting_as(actor):
        for key, (given, family, born, reference, gender, ethnicity, looked_after) in CHILDREN.items():
            world.children[key] = Child.objects.create(
                given_name=given,
                family_name=family,
                date_of_birth=day(born),
                reference=reference,
                gender=gender,
                ethnicity=ethnicity,
                looked_after=looked_after,
                school="Gullane Street Academy",
            )
            born_on = day(born)
            world.secrets.extend(
                [given, family, reference, born, f"{born_on:%d/%m/%Y}", f"{born_on.day} {born_on:%B %Y}"]
            )
        for key, (service, opened, closed, kind) in CASES.items():
            case = Case.objects.create(
                child=world.children[key],
                owning_yjs=services[service],
                case_holder=holders[service],
                kind=kind,
                status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                closed_at=at(closed) if closed else None,
                outcome_summary=f"{world.children[key].given_name} settled at college" if closed else "",
            )
            Case.objects.filter(pk=case.pk).update(opened_at=at(opened))
            first = CaseHolderChange.objects.create(
                case=case, previous_holder=None, new_holder=holders[service], reason="Case opened", changed_by=actor
            )
            CaseHolderChange.objects.filter(pk=first.pk).update(changed_at=at(opened))
            world.cases[key] = case
        for child_key, service, sent, decided, decision, case_key, needs in REFERRALS:
            status: str = ReferralStatus.DRAFT if sent is None else ReferralStatus.SUBMITTED
            if decision is not None:
                status = DECISION_STATUS[TriageDecision(decision)]
            Referral.objects.create(
                child=world.children[child_key],
                referring_yjs=services[service],
                referrer=holders[service],
                status=status,
                reasons=FREE_TEXT["reason"],
                complex_needs=needs,
                submitted_at=at(sent, 10) if sent else None,
                decision=decision or "",
                decided_at=at(decided, 15) if decided else None,
                decided_by=actor if decided else None,
                case=world.cases[case_key] if case_key else None,
            )
        for case_key, purpose, on, status, invitations in MEETINGS:
            meeting = Meeting.objects.create(
                case=world.cases[case_key],
                purpose=purpose,
                starts_at=at(on, 10),
                ends_at=at(on, 12),
                location="Meeting room 1",
                organiser=cast.senior_practitioner,
                status=status,
                notes=FREE_TEXT["meeting_notes"] if status == MeetingStatus.HELD else "",
                ics_uid=f"report-test-{next(_uids)}@ecm.invalid",
            )
            for number, invitation in enumerate(invitations):
                agency_key, attendance = invitation[0], invitation[1]
                removed = len(invitation) > 2
                Invitation.objects.create(
                    meeting=meeting,
                    name=f"Invitee {number}",
                    email=f"invitee{number}.{meeting.pk}@example.org",
                    agency=agencies[agency_key] if agency_key else None,
                    agency_name="" if agency_key else "Avon Vale Surgery",
                    attendance=attendance,
                    invited_by=cast.senior_practitioner,
                    removed_at=at(on, 9) if removed else None,
                )
        for case_key, version, signed in REPORTS:
            FormulationReport.objects.create(
                case=world.cases[case_key],
                version=version,
                author=cast.psychologist,
                updated_by=cast.psychologist,
                status=ReportStatus.SIGNED_OFF if signed else ReportStatus.DRAFT,
                signed_off_at=at(signed, 16) if signed else None,
                childs_story=FREE_TEXT["note"],
            )
        for case_key, owner_key, due, state, done_on, is_action in ACTIONS:
            action = Recommendation.objects.create(
                case=world.cases[case_key],
                text=FREE_TEXT["recommendation"],
                suits_from_stage=1,
                owner_agency=agencies[owner_key] if owner_key else None,
                owner_agency_name="" if owner_key else "Avon Vale Surgery",
                owner_name="Dr Imogen Vale",
                due_on=day(due),
                status="in_progress" if state == "done" else state,
                became_action_at=at("2025-01-20") if is_action else None,
            )
            if done_on is not None:
                _mark_done(action, at(done_on, 12))
        for case_key, on, number in ASSESSMENTS:
            StageAssessment.objects.create(
                case=world.cases[case_key],
                assessed_on=day(on),
                stage=stages[number],
                evidence=FREE_TEXT["evidence"],
                source="review",
                assessor=cast.psychologist,
            )
        for case_key, ratings in GOALS:
            goal = Goal.objects.create(
                case=world.cases[case_key],
                text=FREE_TEXT["goal"],
                set_by="With the case manager",
                set_on=day(ratings[0][0]),
                recorded_by=cast.case_manager,
            )
            for index, (on, score) in enumerate(ratings):
                GoalRating.objects.create(
                    goal=goal,
                    rated_on=day(on),
                    score=score,
                    context="start" if index == 0 else "review",
                    recorded_by=cast.case_manager,
                )
        for case_key, grouping, applies_from in THRIVE:
            ThriveGrouping.objects.create(
                case=world.cases[case_key],
                grouping=grouping,
                applies_from=day(applies_from),
                reason=FREE_TEXT["note"],
                recorded_by=cast.psychologist,
            )
        for case_key, previous, new, on in HOLDER_CHANGES:
            change = CaseHolderChange.objects.create(
                case=world.cases[case_key],
                previous_holder=people[previous],
                new_holder=people[new],
                reason=FREE_TEXT["note"],
                changed_by=actor,
            )
            CaseHolderChange.objects.filter(pk=change.pk).update(changed_at=at(on, 11))
        for case_key, on in [*CONSULTATIONS, *CONSULTATIONS_OUTSIDE]:
            Consultation.objects.create(
                case=world.cases[case_key],
                held_on=day(on),
                attendees="The case manager",
                question=FREE_TEXT["consultation"],
                advice="Keep the routine",
                minutes_spent=60,
                psychologist=cast.psychologist,
            )
        Contact.objects.create(
            case=world.cases["B2"],
            occurred_at=at("2025-03-05", 14),
            kind=ContactKind.HOME_VISIT,
            with_whom="Amara and her aunt",
            note=FREE_TEXT["note"],
            restricted=True,
            recorded_by=cast.case_manager,
        )
    # The cast's own child, Kai Brennan (his case opened today, after the period), must not appear either.
    kai = cast.case.child
    world.secrets.extend([kai.given_name, kai.family_name, kai.reference, kai.date_of_birth.isoformat()])
    return world


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)
