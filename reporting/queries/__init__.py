"""The aggregate queries behind every figure: set-based SQL, never a loop over cases.

`report_figures` answers every figure of a report in one statement (reporting/queries/statements.py
holds its pieces); each figure's own function below runs its piece alone, with the same SQL. Every
answer is plain numbers keyed by category; nothing here returns a name, a date of birth, a
reference or free text. Suppression happens afterwards (reporting/figures/).

Each piece reads only what the period can touch, never the services' whole history: the period's
cases, or the events dated in the period (and, where a figure needs the history before them, only
the history of the cases those events belong to).

Definitions (the page and the CSV repeat them):
- the period's cases: cases of the chosen services open at any time in the period; a case that moved between
  services counts in each for the time it held the case (cases.CaseHolding);
- waiting times: measured when the step happened in the period (a decision made, a case's first
  formulation meeting held, a case's first report signed off), from the day the referral was sent;
- a stage "spell": the days from the assessment that put a child in a stage to the assessment that
  moved them out, counted when the move happened in the period;
- an action is done on time when its change history shows it marked done on or before its due date.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from accounts.models import Agency
from cases.models import Case, CaseHolderChange, CaseHolding, Child, Consultation
from formulation.models import FormulationReport, Invitation, Meeting, Recommendation
from referrals.models import Referral
from reporting.indicators import ConditionSql, Funnel
from reporting.queries import statements
from reporting.queries.statements import Piece
from reporting.scope import ReportScope
from trm_stages.models import Goal, GoalRating, Stage, StageAssessment, ThriveGrouping, TrmVersion

ACTION_STATES = ("done_on_time", "done_late", "no_longer_needed", "overdue", "not_yet_due")
AGE_BANDS = ("under_10", "10_14", "15_17", "18_over")


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    models: dict[str, Any] = {
        "agency": Agency,
        "case": Case,
        "child": Child,
        "holder_change": CaseHolderChange,
        "holding": CaseHolding,
        "consultation": Consultation,
        "referral": Referral,
        "meeting": Meeting,
        "invitation": Invitation,
        "report": FormulationReport,
        "recommendation": Recommendation,
        "recommendation_history": apps.get_model("formulation", "RecommendationHistory"),
        "assessment": StageAssessment,
        "stage": Stage,
        "version": TrmVersion,
        "goal": Goal,
        "rating": GoalRating,
        "thrive": ThriveGrouping,
    }
    tables = {name: quote(model._meta.db_table) for name, model in models.items()}
    return {**tables, "chosen": statements.CHOSEN}


# Inside `report_transaction`, in this thread (each of the reports' helper threads has its own connection).
_WITHOUT_JIT: ContextVar[bool] = ContextVar("reports_without_jit", default=False)


@contextmanager
def report_transaction() -> Iterator[None]:
    """One transaction for a report's queries, without PostgreSQL's JIT compilation.

    The planner's cost estimates for these aggregates cross the JIT threshold, and compiling them
    took longer than running them: 3.0 s against 0.9 s for the whole report at 20,000 cases
    (benchmark_dashboard). `SET LOCAL` ends with the transaction. Inside another report transaction (several
    reports made one after another on one connection) it is that one: no savepoint, no second `SET`.
    """
    if _WITHOUT_JIT.get():
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        token = _WITHOUT_JIT.set(True)
        try:
            yield
        finally:
            _WITHOUT_JIT.reset(token)


def _answers(scope: ReportScope, pieces: dict[str, Piece], params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the pieces as one statement; each key's JSON answer, decoded."""
    sql = statements.statement(pieces).format(**_tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, {**scope.sql_params(), **(params or {})})
        [(answer,)] = cursor.fetchall()
    return dict(json.loads(answer))


def _one(scope: ReportScope, piece: Piece) -> Any:
    return _answers(scope, {"answer": piece})["answer"]


# --- What each figure's answer is ----------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """How many were measured (and on how many cases), with the median and 90th percentile."""

    measured: int
    cases: int
    median: float | None
    p90: float | None = None


# The agency kind of an invitation whose agency is not on ECM (entered as "Not listed", with its name typed in):
# counted under "Other" in attendance by agency type.
NOT_LISTED = ""


@dataclass(frozen=True)
class Attendance:
    recorded: int  # invitations whose attendance was recorded
    attended: int
    cases: int


@dataclass(frozen=True)
class Continuity:
    cases: int
    changes: int
    case_years: float

    @property
    def changes_per_case_year(self) -> float | None:
        return self.changes / self.case_years if self.case_years else None


@dataclass(frozen=True)
class GoalChange:
    improved: int
    same: int
    worse: int
    cases: int
    mean_change: float | None


def _referrals(rows: Any) -> dict[tuple[int, dt.date], int]:
    return {(agency_id, dt.date.fromisoformat(bucket)): count for agency_id, bucket, count in rows or []}


def _keyed(rows: Any) -> dict[Any, int]:
    return {key: count for key, count in rows or []}


def _pairs(rows: Any) -> dict[tuple[Any, Any], int]:
    return {(first, second): count for first, second, count in rows or []}


def _waiting(rows: Any) -> dict[str, Spread]:
    return {
        step: Spread(measured=measured, cases=cases, median=median, p90=p90)
        for step, measured, cases, median, p90 in rows or []
    }


def _attendance(rows: Any) -> dict[str, Attendance]:
    return {
        kind: Attendance(recorded=recorded, attended=attended, cases=cases)
        for kind, recorded, attended, cases in rows or []
    }


def _days_in_stage(rows: Any) -> dict[int, Spread]:
    return {
        number: Spread(measured=measured, cases=cases, median=median) for number, measured, cases, median in rows or []
    }


def _continuity(row: Any) -> Continuity:
    cases, changes, case_years = row
    return Continuity(cases=cases, changes=changes, case_years=float(case_years))


def _consultations(rows: Any) -> dict[int, tuple[int, int]]:
    return {agency_id: (count, cases) for agency_id, count, cases in rows or []}


def _goals(row: Any) -> GoalChange:
    improved, same, worse, cases, mean = row
    return GoalChange(
        improved=improved, same=same, worse=worse, cases=cases, mean_change=float(mean) if mean is not None else None
    )


def _demographics(rows: Any) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {"age": {}, "gender": {}, "ethnicity": {}, "looked_after": {}}
    for dimension, category, count in rows or []:
        found[dimension][category] = count
    return found


# --- Each figure on its own -------------------------------------------------------------------------------


def population_count(scope: ReportScope) -> int:
    """The period's cases."""
    return int(_one(scope, statements.POPULATION_COUNT))


def referrals_by_agency_and_period(scope: ReportScope) -> dict[tuple[int, dt.date], int]:
    """Referrals sent for triage in the period, by referring service and month (or year)."""
    return _referrals(_one(scope, statements.REFERRALS))


def triage_outcomes(scope: ReportScope) -> dict[str, int]:
    """Triage decisions made in the period, by decision."""
    return _keyed(_one(scope, statements.TRIAGE))


def waiting_times(scope: ReportScope) -> dict[str, Spread]:
    """Days from the referral to the decision, to the first formulation meeting held, to the first signed-off report."""
    return _waiting(_one(scope, statements.WAITING))


def meetings_held(scope: ReportScope) -> dict[tuple[int, str], int]:
    """Meetings held in the period, by the case's service and the meeting's purpose (formulation or review)."""
    return _pairs(_one(scope, statements.MEETINGS))


def attendance_by_agency_kind(scope: ReportScope) -> dict[str, Attendance]:
    """Attendance at meetings held in the period, by the invited person's kind of agency (`NOT_LISTED`, "", when
    the agency was entered as "Not listed": not on ECM)."""
    return _attendance(_one(scope, statements.ATTENDANCE))


def stage_distribution(scope: ReportScope) -> dict[int | None, int]:
    """The period's cases by their TRM stage at the end of the period (None: no stage recorded by then)."""
    return _keyed(_one(scope, statements.STAGES))


def stage_movement(scope: ReportScope) -> dict[str, int]:
    """The period's cases with two or more assessments by the end: latest stage above, at or below the first."""
    return _keyed(_one(scope, statements.MOVEMENT))


def days_in_stage(scope: ReportScope) -> dict[int, Spread]:
    """Median days a child stayed in each stage, over the spells that ended (the child moved) in the period."""
    return _days_in_stage(_one(scope, statements.DAYS_IN_STAGE))


def actions_by_owner_kind(scope: ReportScope) -> dict[tuple[str, str], int]:
    """Actions (signed-off recommendations and review actions) due in the period, by owner's kind of agency and state.

    Done on time: the change history shows the action marked done on or before its due date (a
    done action without that record counts as late). Overdue: still open after its due date, today.
    """
    return _pairs(_one(scope, statements.ACTIONS))


def holder_changes(scope: ReportScope) -> Continuity:
    """Case holder changes in the period (not the first holder) over the years the period's cases were open in it."""
    return _continuity(_one(scope, statements.CONTINUITY))


def consultations_by_agency(scope: ReportScope) -> dict[int, tuple[int, int]]:
    """Consultations held in the period, by the case's service: (consultations, cases)."""
    return _consultations(_one(scope, statements.CONSULTATIONS))


def goal_change(scope: ReportScope) -> GoalChange:
    """Goals of the period's cases rated twice or more, last rated in the period: first to latest rating."""
    return _goals(_one(scope, statements.GOALS))


def demographics(scope: ReportScope) -> dict[str, dict[str, int]]:
    """The period's cases by age band (age on the day the case opened), gender, ethnicity and looked-after status."""
    return _demographics(_one(scope, statements.DEMOGRAPHICS))


def _funnel_sql(funnel: Funnel) -> tuple[Piece, dict[str, Any]]:
    writer = ConditionSql()
    conditions = [writer.sql(step.condition) for step in funnel.steps]
    return statements.funnel_piece(conditions), writer.params


def funnel_counts(scope: ReportScope, funnel: Funnel) -> list[int]:
    """How many of the period's cases reach each step of the funnel (each step within the one before)."""
    piece, params = _funnel_sql(funnel)
    return [int(count) for count in _answers(scope, {"answer": piece}, params)["answer"]]


def stage_names() -> dict[int, str]:
    """The current TRM version's stages: number to name."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({statements.STAGE_NAMES.sql})::text".format(**_tables()))
        [(answer,)] = cursor.fetchall()
    return {number: name for number, name in json.loads(answer) or []}


# --- The whole report at once ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Every figure's answer for one scope."""

    population: int
    stage_names: dict[int, str]
    referrals: dict[tuple[int, dt.date], int]
    triage: dict[str, int]
    waiting: dict[str, Spread]
    meetings: dict[tuple[int, str], int]
    attendance: dict[str, Attendance]
    stages: dict[int | None, int]
    movement: dict[str, int]
    days_in_stage: dict[int, Spread]
    actions: dict[tuple[str, str], int]
    continuity: Continuity
    consultations: dict[int, tuple[int, int]]
    goals: GoalChange
    demographics: dict[str, dict[str, int]]
    funnel: list[int]
    # The answers of the `extra` pieces asked for with them (reporting/queries/trends.py), as decoded JSON.
    extra: dict[str, Any] = field(default_factory=dict)


def report_figures(scope: ReportScope, funnel: Funnel, extra: dict[str, Piece] | None = None) -> Figures:
    """Every figure of the report in one statement (with the `extra` pieces): each row set it shares is read once."""
    funnel_piece, params = _funnel_sql(funnel)
    pieces = {
        **(extra or {}),
        "population": statements.POPULATION_COUNT,
        "stage_names": statements.STAGE_NAMES,
        "referrals": statements.REFERRALS,
        "triage": statements.TRIAGE,
        "waiting": statements.WAITING,
        "meetings": statements.MEETINGS,
        "attendance": statements.ATTENDANCE,
        "stages": statements.STAGES,
        "movement": statements.MOVEMENT,
        "days_in_stage": statements.DAYS_IN_STAGE,
        "actions": statements.ACTIONS,
        "continuity": statements.CONTINUITY,
        "consultations": statements.CONSULTATIONS,
        "goals": statements.GOALS,
        "demographics": statements.DEMOGRAPHICS,
        "funnel": funnel_piece,
    }
    found = _answers(scope, pieces, params)
    return Figures(
        population=int(found["population"]),
        stage_names={number: name for number, name in found["stage_names"] or []},
        referrals=_referrals(found["referrals"]),
        triage=_keyed(found["triage"]),
        waiting=_waiting(found["waiting"]),
        meetings=_pairs(found["meetings"]),
        attendance=_attendance(found["attendance"]),
        stages=_keyed(found["stages"]),
        movement=_keyed(found["movement"]),
        days_in_stage=_days_in_stage(found["days_in_stage"]),
        actions=_pairs(found["actions"]),
        continuity=_continuity(found["continuity"]),
        consultations=_consultations(found["consultations"]),
        goals=_goals(found["goals"]),
        demographics=_demographics(found["demographics"]),
        funnel=[int(count) for count in found["funnel"]],
        extra={key: found[key] for key in extra or {}},
    )
