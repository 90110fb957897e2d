"""The aggregate queries behind every figure: one set-based SQL statement each, never a loop over cases.

Every function takes a ReportScope and returns plain numbers keyed by category; nothing here
returns a name, a date of birth, a reference or free text. Suppression happens afterwards
(reporting/figures.py). Table names come from the models, so a renamed table cannot drift.

Definitions (the page and the CSV repeat them):
- the period's cases: cases of the chosen services open at any time in the period;
- waiting times: measured when the step happened in the period (a decision made, a case's first
  formulation meeting held, a case's first report signed off), from the day the referral was sent;
- a stage "spell": the days from the assessment that put a child in a stage to the assessment that
  moved them out, counted when the move happened in the period;
- an action is done on time when its change history shows it marked done on or before its due date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Q

from accounts.models import Agency
from cases.models import Case, CaseHolderChange, Child, Consultation
from formulation.models import FormulationReport, Invitation, Meeting, Recommendation
from referrals.models import Referral
from reporting.indicators import Funnel, condition_q
from reporting.scope import ReportScope
from trm_stages.models import Goal, GoalRating, Stage, StageAssessment


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    models: dict[str, Any] = {
        "agency": Agency,
        "case": Case,
        "child": Child,
        "holder_change": CaseHolderChange,
        "consultation": Consultation,
        "referral": Referral,
        "meeting": Meeting,
        "invitation": Invitation,
        "report": FormulationReport,
        "recommendation": Recommendation,
        "recommendation_history": apps.get_model("formulation", "RecommendationHistory"),
        "assessment": StageAssessment,
        "stage": Stage,
        "goal": Goal,
        "rating": GoalRating,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


@contextmanager
def report_transaction() -> Iterator[None]:
    """One transaction for a report's queries, without PostgreSQL's JIT compilation.

    The planner's cost estimates for these aggregates cross the JIT threshold, and compiling them
    took longer than running them: 3.0 s against 0.9 s for the whole report at 20,000 cases
    (benchmark_dashboard). `SET LOCAL` ends with the transaction.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _rows(sql: str, scope: ReportScope) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**_tables()), scope.sql_params())
        return list(cursor.fetchall())


# The period's cases: the chosen services' cases open at any time in the period.
POPULATION = """
population AS (
    SELECT c.id, c.child_id, c.opened_at, c.closed_at
    FROM {case} c
    WHERE c.owning_yjs_id = ANY(%(agencies)s)
      AND c.opened_at < %(end_at)s
      AND (c.closed_at IS NULL OR c.closed_at >= %(start_at)s)
)"""


def referrals_by_agency_and_period(scope: ReportScope) -> dict[tuple[int, Any], int]:
    """Referrals sent for triage in the period, by referring service and month (or year)."""
    sql = """
        SELECT r.referring_yjs_id, date_trunc(%(bucket)s, r.submitted_at AT TIME ZONE %(tz)s)::date, count(*)
        FROM {referral} r
        WHERE r.referring_yjs_id = ANY(%(agencies)s)
          AND r.submitted_at >= %(start_at)s AND r.submitted_at < %(end_at)s
        GROUP BY 1, 2
    """
    return {(agency_id, bucket): count for agency_id, bucket, count in _rows(sql, scope)}


def triage_outcomes(scope: ReportScope) -> dict[str, int]:
    """Triage decisions made in the period, by decision."""
    sql = """
        SELECT r.decision, count(*)
        FROM {referral} r
        WHERE r.referring_yjs_id = ANY(%(agencies)s)
          AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_at)s AND r.decision <> ''
        GROUP BY 1
    """
    return dict(_rows(sql, scope))


@dataclass(frozen=True)
class Spread:
    """How many were measured (and on how many cases), with the median and 90th percentile."""

    measured: int
    cases: int
    median: float | None
    p90: float | None = None


def waiting_times(scope: ReportScope) -> dict[str, Spread]:
    """Days from the referral to the decision, to the first formulation meeting held, to the first signed-off report."""
    sql = """
        WITH sent AS (
            SELECT r.id, r.case_id, r.decided_at, (r.submitted_at AT TIME ZONE %(tz)s)::date AS sent_on
            FROM {referral} r
            WHERE r.referring_yjs_id = ANY(%(agencies)s) AND r.submitted_at IS NOT NULL
        ),
        first_meeting AS (
            SELECT m.case_id, min(m.starts_at) AS held_at
            FROM {meeting} m JOIN sent ON sent.case_id = m.case_id
            WHERE m.purpose = 'formulation' AND m.status = 'held'
            GROUP BY m.case_id
        ),
        first_report AS (
            SELECT f.case_id, min(f.signed_off_at) AS signed_at
            FROM {report} f JOIN sent ON sent.case_id = f.case_id
            WHERE f.signed_off_at IS NOT NULL
            GROUP BY f.case_id
        ),
        waits AS (
            SELECT 'decision' AS step, sent.id AS unit,
                   (sent.decided_at AT TIME ZONE %(tz)s)::date - sent.sent_on AS days
            FROM sent WHERE sent.decided_at >= %(start_at)s AND sent.decided_at < %(end_at)s
            UNION ALL
            SELECT 'meeting', sent.id, (first_meeting.held_at AT TIME ZONE %(tz)s)::date - sent.sent_on
            FROM first_meeting JOIN sent ON sent.case_id = first_meeting.case_id
            WHERE first_meeting.held_at >= %(start_at)s AND first_meeting.held_at < %(end_at)s
            UNION ALL
            SELECT 'report', sent.id, (first_report.signed_at AT TIME ZONE %(tz)s)::date - sent.sent_on
            FROM first_report JOIN sent ON sent.case_id = first_report.case_id
            WHERE first_report.signed_at >= %(start_at)s AND first_report.signed_at < %(end_at)s
        )
        SELECT step, count(*), count(DISTINCT unit),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
        FROM waits GROUP BY step
    """
    return {
        step: Spread(measured=measured, cases=cases, median=median, p90=p90)
        for step, measured, cases, median, p90 in _rows(sql, scope)
    }


def meetings_held(scope: ReportScope) -> dict[tuple[int, str], int]:
    """Meetings held in the period, by the case's service and the meeting's purpose (formulation or review)."""
    sql = """
        SELECT c.owning_yjs_id, m.purpose, count(*)
        FROM {meeting} m JOIN {case} c ON c.id = m.case_id
        WHERE c.owning_yjs_id = ANY(%(agencies)s) AND m.status = 'held'
          AND m.starts_at >= %(start_at)s AND m.starts_at < %(end_at)s
        GROUP BY 1, 2
    """
    return {(agency_id, purpose): count for agency_id, purpose, count in _rows(sql, scope)}


@dataclass(frozen=True)
class Attendance:
    recorded: int  # invitations whose attendance was recorded
    attended: int
    cases: int


def attendance_by_agency_kind(scope: ReportScope) -> dict[str, Attendance]:
    """Attendance at meetings held in the period, by the invited person's kind of agency ("" when not on ECM)."""
    sql = """
        SELECT coalesce(a.kind, ''), count(*), count(*) FILTER (WHERE i.attendance = 'attended'),
               count(DISTINCT m.case_id)
        FROM {invitation} i
        JOIN {meeting} m ON m.id = i.meeting_id
        JOIN {case} c ON c.id = m.case_id
        LEFT JOIN {agency} a ON a.id = i.agency_id
        WHERE c.owning_yjs_id = ANY(%(agencies)s) AND m.status = 'held'
          AND m.starts_at >= %(start_at)s AND m.starts_at < %(end_at)s
          AND i.removed_at IS NULL AND i.attendance <> 'not_recorded'
        GROUP BY 1
    """
    return {
        kind: Attendance(recorded=recorded, attended=attended, cases=cases)
        for kind, recorded, attended, cases in _rows(sql, scope)
    }


def stage_distribution(scope: ReportScope) -> dict[int | None, int]:
    """The period's cases by their TRM stage at the end of the period (None: no stage recorded by then)."""
    sql = f"""
        WITH {POPULATION},
        latest AS (
            SELECT DISTINCT ON (sa.case_id) sa.case_id, s.number
            FROM {{assessment}} sa
            JOIN population p ON p.id = sa.case_id
            JOIN {{stage}} s ON s.id = sa.stage_id
            WHERE sa.assessed_on <= %(end)s
            ORDER BY sa.case_id, sa.assessed_on DESC, sa.recorded_at DESC, sa.id DESC
        )
        SELECT latest.number, count(*)
        FROM population p LEFT JOIN latest ON latest.case_id = p.id
        GROUP BY 1
    """  # noqa: S608 - only the model's table names are formatted in
    return dict(_rows(sql, scope))


def stage_movement(scope: ReportScope) -> dict[str, int]:
    """The period's cases with two or more assessments by the end: latest stage above, at or below the first."""
    sql = f"""
        WITH {POPULATION},
        ordered AS (
            SELECT sa.case_id, s.number,
                   row_number() OVER (PARTITION BY sa.case_id ORDER BY sa.assessed_on, sa.recorded_at, sa.id) AS rank,
                   row_number() OVER (
                       PARTITION BY sa.case_id ORDER BY sa.assessed_on DESC, sa.recorded_at DESC, sa.id DESC
                   ) AS rank_from_last,
                   count(*) OVER (PARTITION BY sa.case_id) AS assessments
            FROM {{assessment}} sa
            JOIN population p ON p.id = sa.case_id
            JOIN {{stage}} s ON s.id = sa.stage_id
            WHERE sa.assessed_on <= %(end)s
        )
        SELECT CASE WHEN latest.number > first.number THEN 'moved_on'
                    WHEN latest.number = first.number THEN 'same'
                    ELSE 'moved_back' END,
               count(*)
        FROM ordered first
        JOIN ordered latest ON latest.case_id = first.case_id AND latest.rank_from_last = 1
        WHERE first.rank = 1 AND first.assessments >= 2
        GROUP BY 1
    """  # noqa: S608 - only the model's table names are formatted in
    return dict(_rows(sql, scope))


def days_in_stage(scope: ReportScope) -> dict[int, Spread]:
    """Median days a child stayed in each stage, over the spells that ended (the child moved) in the period."""
    sql = """
        WITH ordered AS (
            SELECT sa.case_id, s.number, sa.assessed_on, sa.recorded_at, sa.id,
                   lag(s.number) OVER (PARTITION BY sa.case_id ORDER BY sa.assessed_on, sa.recorded_at, sa.id)
                       AS number_before
            FROM {assessment} sa
            JOIN {case} c ON c.id = sa.case_id
            JOIN {stage} s ON s.id = sa.stage_id
            WHERE c.owning_yjs_id = ANY(%(agencies)s) AND sa.assessed_on <= %(end)s
        ),
        spells AS (
            SELECT case_id, number, assessed_on AS entered_on,
                   lead(assessed_on) OVER (PARTITION BY case_id ORDER BY assessed_on, recorded_at, id) AS left_on
            FROM ordered
            WHERE number_before IS DISTINCT FROM number
        )
        SELECT number, count(*), count(DISTINCT case_id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY left_on - entered_on)
        FROM spells
        WHERE left_on >= %(start)s AND left_on <= %(end)s
        GROUP BY number
    """
    return {
        number: Spread(measured=measured, cases=cases, median=median)
        for number, measured, cases, median in _rows(sql, scope)
    }


ACTION_STATES = ("done_on_time", "done_late", "no_longer_needed", "overdue", "not_yet_due")


def actions_by_owner_kind(scope: ReportScope) -> dict[tuple[str, str], int]:
    """Actions (signed-off recommendations and review actions) due in the period, by owner's kind of agency and state.

    Done on time: the change history shows the action marked done on or before its due date (a
    done action without that record counts as late). Overdue: still open after its due date, today.
    """
    sql = """
        SELECT coalesce(a.kind, ''),
               CASE WHEN r.status = 'done' AND (done.at AT TIME ZONE %(tz)s)::date <= r.due_on THEN 'done_on_time'
                    WHEN r.status = 'done' THEN 'done_late'
                    WHEN r.status = 'no_longer_needed' THEN 'no_longer_needed'
                    WHEN r.due_on < %(today)s THEN 'overdue'
                    ELSE 'not_yet_due' END,
               count(*)
        FROM {recommendation} r
        JOIN {case} c ON c.id = r.case_id
        LEFT JOIN {agency} a ON a.id = r.owner_agency_id
        LEFT JOIN LATERAL (
            SELECT min(h.pgh_created_at) AS at
            FROM {recommendation_history} h
            WHERE h.pgh_obj_id = r.id AND h.status = 'done'
        ) done ON r.status = 'done'
        WHERE c.owning_yjs_id = ANY(%(agencies)s) AND r.became_action_at IS NOT NULL
          AND r.due_on >= %(start)s AND r.due_on <= %(end)s
        GROUP BY 1, 2
    """
    return {(kind, state): count for kind, state, count in _rows(sql, scope)}


@dataclass(frozen=True)
class Continuity:
    cases: int
    changes: int
    case_years: float

    @property
    def changes_per_case_year(self) -> float | None:
        return self.changes / self.case_years if self.case_years else None


def holder_changes(scope: ReportScope) -> Continuity:
    """Case holder changes in the period (not the first holder) over the years the period's cases were open in it."""
    sql = f"""
        WITH {POPULATION}
        SELECT
            (SELECT count(*) FROM population),
            (SELECT count(*) FROM {{holder_change}} h JOIN population p ON p.id = h.case_id
             WHERE h.previous_holder_id IS NOT NULL
               AND h.changed_at >= %(start_at)s AND h.changed_at < %(end_at)s),
            (SELECT coalesce(sum(extract(epoch FROM
                        least(p.closed_at, %(end_at)s) - greatest(p.opened_at, %(start_at)s))), 0)
             FROM population p) / (86400.0 * 365.25)
    """  # noqa: S608 - only the model's table names are formatted in
    [(cases, changes, case_years)] = _rows(sql, scope)
    return Continuity(cases=cases, changes=changes, case_years=float(case_years))


def consultations_by_agency(scope: ReportScope) -> dict[int, tuple[int, int]]:
    """Consultations held in the period, by the case's service: (consultations, cases)."""
    sql = """
        SELECT c.owning_yjs_id, count(*), count(DISTINCT c.id)
        FROM {consultation} k JOIN {case} c ON c.id = k.case_id
        WHERE c.owning_yjs_id = ANY(%(agencies)s) AND k.held_on >= %(start)s AND k.held_on <= %(end)s
        GROUP BY 1
    """
    return {agency_id: (count, cases) for agency_id, count, cases in _rows(sql, scope)}


@dataclass(frozen=True)
class GoalChange:
    improved: int
    same: int
    worse: int
    cases: int
    mean_change: float | None


def goal_change(scope: ReportScope) -> GoalChange:
    """Goals of the period's cases rated twice or more, last rated in the period: first to latest rating."""
    sql = f"""
        WITH {POPULATION},
        rated AS (
            SELECT g.id AS goal_id, g.case_id, gr.score, gr.rated_on,
                   row_number() OVER (PARTITION BY g.id ORDER BY gr.rated_on, gr.recorded_at, gr.id) AS rank,
                   row_number() OVER (
                       PARTITION BY g.id ORDER BY gr.rated_on DESC, gr.recorded_at DESC, gr.id DESC
                   ) AS rank_from_last,
                   count(*) OVER (PARTITION BY g.id) AS ratings
            FROM {{goal}} g
            JOIN population p ON p.id = g.case_id
            JOIN {{rating}} gr ON gr.goal_id = g.id
            WHERE gr.rated_on <= %(end)s
        ),
        changes AS (
            SELECT first.case_id, latest.score - first.score AS change
            FROM rated first
            JOIN rated latest ON latest.goal_id = first.goal_id AND latest.rank_from_last = 1
            WHERE first.rank = 1 AND first.ratings >= 2 AND latest.rated_on >= %(start)s
        )
        SELECT count(*) FILTER (WHERE change > 0), count(*) FILTER (WHERE change = 0),
               count(*) FILTER (WHERE change < 0), count(DISTINCT case_id), avg(change)
        FROM changes
    """  # noqa: S608 - only the model's table names are formatted in
    [(improved, same, worse, cases, mean)] = _rows(sql, scope)
    return GoalChange(
        improved=improved, same=same, worse=worse, cases=cases, mean_change=float(mean) if mean is not None else None
    )


AGE_BANDS = ("under_10", "10_14", "15_17", "18_over")


def demographics(scope: ReportScope) -> dict[str, dict[str, int]]:
    """The period's cases by age band (age on the day the case opened), gender, ethnicity and looked-after status."""
    sql = f"""
        WITH {POPULATION},
        people AS (
            SELECT date_part('year', age((p.opened_at AT TIME ZONE %(tz)s)::date, ch.date_of_birth)) AS age,
                   ch.gender, ch.ethnicity, ch.looked_after
            FROM population p JOIN {{child}} ch ON ch.id = p.child_id
        )
        SELECT 'age', CASE WHEN age < 10 THEN 'under_10' WHEN age <= 14 THEN '10_14'
                           WHEN age <= 17 THEN '15_17' ELSE '18_over' END, count(*)
        FROM people GROUP BY 2
        UNION ALL SELECT 'gender', gender, count(*) FROM people GROUP BY 2
        UNION ALL SELECT 'ethnicity', ethnicity, count(*) FROM people GROUP BY 2
        UNION ALL SELECT 'looked_after', looked_after, count(*) FROM people GROUP BY 2
    """  # noqa: S608 - only the model's table names are formatted in
    found: dict[str, dict[str, int]] = {"age": {}, "gender": {}, "ethnicity": {}, "looked_after": {}}
    for dimension, category, count in _rows(sql, scope):
        found[dimension][category] = count
    return found


def population_count(scope: ReportScope) -> int:
    sql = f"WITH {POPULATION} SELECT count(*) FROM population"  # noqa: S608 - table names only
    [(count,)] = _rows(sql, scope)
    return int(count)


def funnel_counts(scope: ReportScope, funnel: Funnel) -> list[int]:
    """How many of the period's cases reach each step of the funnel (each step within the one before)."""
    population = Case.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=scope.start_at),
        owning_yjs_id__in=scope.agency_ids,
        opened_at__lt=scope.end_at,
    )
    reached = Q()
    counts: dict[str, Count] = {}
    for index, step in enumerate(funnel.steps):
        reached &= condition_q(step.condition, scope)
        counts[f"step_{index}"] = Count("pk", filter=reached)
    totals = population.aggregate(**counts)
    return [int(totals[f"step_{index}"]) for index in range(len(funnel.steps))]
