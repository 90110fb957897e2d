"""The figures by month (or by year, for periods longer than two years) behind the charts and the sparklines,
and the TRM flow from first to latest stage: one more set-based statement, in the report's transaction.

Same rules as the report's own queries (reporting/queries/__init__.py): only the chosen services' rows, only
what the period can touch, plain numbers keyed by month; the counts are laid out and suppressed with the rest
of the report (reporting/figures/trends.py), so each month's count is published as its range of five and
protected along the lines it adds up along (the months of a figure add up to its total).

Every month here is a calendar month in UK time, cut to the period at both ends (the first and the last month
may be part months); each figure's months use the same filter as its total, so they add up to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reporting.queries import _answers
from reporting.queries.statements import Piece
from reporting.scope import ReportScope

# The buckets of the period: each month (or year) it touches, and that bucket's part of the period as moments.
BUCKETS = """
    SELECT g::date AS bucket,
           greatest(g, %(start)s::timestamp) AT TIME ZONE %(tz)s AS from_at,
           least(g + ('1 ' || %(bucket)s)::interval, %(end)s::timestamp + interval '1 day') AT TIME ZONE %(tz)s AS to_at
    FROM generate_series(date_trunc(%(bucket)s, %(start)s::timestamp), %(end)s::timestamp,
                         ('1 ' || %(bucket)s)::interval) g"""

# Triage decisions made, by the month of the decision (the filter of the triage figure).
DECISIONS = Piece(
    """
    SELECT json_agg(json_build_array(bucket, decisions)) FROM (
        SELECT date_trunc(%(bucket)s, r.decided_at AT TIME ZONE %(tz)s)::date AS bucket, count(*) AS decisions
        FROM {referral} r
        WHERE r.referring_yjs_id IN {chosen}
          AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_at)s AND r.decision <> ''
        GROUP BY 1
    ) found"""
)

# Days from referral to triage decision, by the month of the decision (the waiting figure's first step).
WAITING = Piece(
    """
    SELECT json_agg(json_build_array(bucket, measured, cases, median, p90)) FROM (
        SELECT bucket, count(*) AS measured, count(DISTINCT unit) AS cases,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
        FROM (
            SELECT date_trunc(%(bucket)s, r.decided_at AT TIME ZONE %(tz)s)::date AS bucket, r.id AS unit,
                   (r.decided_at AT TIME ZONE %(tz)s)::date - (r.submitted_at AT TIME ZONE %(tz)s)::date AS days
            FROM {referral} r
            WHERE r.referring_yjs_id IN {chosen} AND r.submitted_at IS NOT NULL
              AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_at)s
        ) waits
        GROUP BY bucket
    ) found"""
)

# The period's cases open at any time in each month.
OPEN = Piece(
    """
    SELECT json_agg(json_build_array(bucket, cases)) FROM (
        SELECT b.bucket, count(p.id) AS cases
        FROM (BUCKETS) b
        LEFT JOIN population p ON p.opened_at < b.to_at AND (p.closed_at IS NULL OR p.closed_at >= b.from_at)
        GROUP BY b.bucket
    ) found""",
    ("population",),
)
OPEN = Piece(OPEN.sql.replace("BUCKETS", BUCKETS), OPEN.reads)

# Moves up a TRM stage (an assessment at a higher stage than the case's one before), by the month assessed.
MOVES_UP = Piece(
    """
    SELECT json_agg(json_build_array(bucket, moves)) FROM (
        SELECT date_trunc(%(bucket)s, assessed_on)::date AS bucket, count(*) AS moves
        FROM (
            SELECT sa.assessed_on, s.number,
                   lag(s.number) OVER (PARTITION BY sa.case_id ORDER BY sa.assessed_on, sa.recorded_at, sa.id)
                       AS number_before
            FROM {assessment} sa
            JOIN {stage} s ON s.id = sa.stage_id
            WHERE sa.assessed_on <= %(end)s
              AND sa.case_id IN (
                  SELECT moved.case_id
                  FROM {assessment} moved JOIN {case} c ON c.id = moved.case_id
                  WHERE c.owning_yjs_id IN {chosen}
                    AND moved.assessed_on >= %(start)s AND moved.assessed_on <= %(end)s
              )
        ) ordered
        WHERE assessed_on >= %(start)s AND number > number_before
        GROUP BY 1
    ) found"""
)

# Actions due, by the month due: how many, how many done by the due date, on how many cases (the actions figure's
# filter and its "done by the due date" rule).
ACTIONS = Piece(
    """
    SELECT json_agg(json_build_array(bucket, due, on_time, cases)) FROM (
        SELECT date_trunc(%(bucket)s, r.due_on)::date AS bucket, count(*) AS due,
               count(*) FILTER (WHERE r.status = 'done' AND (
                   SELECT (min(h.pgh_created_at) AT TIME ZONE %(tz)s)::date
                   FROM {recommendation_history} h
                   WHERE h.pgh_obj_id = r.id AND h.status = 'done'
               ) <= r.due_on) AS on_time,
               count(DISTINCT r.case_id) AS cases
        FROM {recommendation} r
        JOIN {case} c ON c.id = r.case_id
        WHERE c.owning_yjs_id IN {chosen}
          AND r.became_action_at IS NOT NULL AND r.due_on >= %(start)s AND r.due_on <= %(end)s
        GROUP BY 1
    ) found"""
)

# Invitations whose attendance was recorded, by the month of the meeting and the invited person's kind of agency.
ATTENDANCE = Piece(
    """
    SELECT json_agg(json_build_array(bucket, kind, recorded, attended, cases)) FROM (
        SELECT date_trunc(%(bucket)s, pi.starts_at AT TIME ZONE %(tz)s)::date AS bucket, coalesce(a.kind, '') AS kind,
               count(*) AS recorded, count(*) FILTER (WHERE pi.attendance = 'attended') AS attended,
               count(DISTINCT pi.case_id) AS cases
        FROM period_invitations pi
        LEFT JOIN {agency} a ON a.id = pi.agency_id
        GROUP BY 1, 2
    ) found""",
    ("period_invitations",),
)

# The period's cases assessed twice or more by the end: first stage to latest stage.
FLOW = Piece(
    """
    SELECT json_agg(json_build_array(first_number, latest_number, cases)) FROM (
        SELECT cs.first_number, cs.latest_number, count(*) AS cases
        FROM case_stages cs
        WHERE cs.assessments >= 2
        GROUP BY 1, 2
    ) found""",
    ("case_stages",),
)


@dataclass(frozen=True)
class MonthWait:
    measured: int
    cases: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class MonthActions:
    due: int
    on_time: int
    cases: int


@dataclass(frozen=True)
class MonthAttendance:
    recorded: int
    attended: int
    cases: int


@dataclass(frozen=True)
class Trends:
    """Each figure's months (the first day of each), and the TRM flow."""

    decisions: dict[dt.date, int]
    waiting: dict[dt.date, MonthWait]
    open: dict[dt.date, int]
    moves_up: dict[dt.date, int]
    actions: dict[dt.date, MonthActions]
    attendance: dict[tuple[dt.date, str], MonthAttendance]
    flow: dict[tuple[int, int], int]


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


# Asked for with the report's own figures (`queries.report_figures(scope, funnel, PIECES)`): one statement, each
# row set it shares (the period's cases, the meetings held) read once. Keys prefixed so they never meet the report's.
PIECES = {
    "trends_decisions": DECISIONS,
    "trends_waiting": WAITING,
    "trends_open": OPEN,
    "trends_moves_up": MOVES_UP,
    "trends_actions": ACTIONS,
    "trends_attendance": ATTENDANCE,
    "trends_flow": FLOW,
}


def trend_figures(scope: ReportScope) -> Trends:
    """Every monthly figure and the flow for the scope, on their own (the report asks for them with its figures)."""
    return trends_from(_answers(scope, PIECES))


def trends_from(answers: dict[str, Any]) -> Trends:
    """The monthly figures and the flow from the answers to `PIECES`."""
    found = {key.removeprefix("trends_"): answer for key, answer in answers.items()}
    return Trends(
        decisions={_day(bucket): count for bucket, count in found["decisions"] or []},
        waiting={
            _day(bucket): MonthWait(measured, cases, median, p90)
            for bucket, measured, cases, median, p90 in found["waiting"] or []
        },
        open={_day(bucket): count for bucket, count in found["open"] or []},
        moves_up={_day(bucket): count for bucket, count in found["moves_up"] or []},
        actions={
            _day(bucket): MonthActions(due, on_time, cases) for bucket, due, on_time, cases in found["actions"] or []
        },
        attendance={
            (_day(bucket), kind): MonthAttendance(recorded, attended, cases)
            for bucket, kind, recorded, attended, cases in found["attendance"] or []
        },
        flow={(first, latest): count for first, latest, count in found["flow"] or []},
    )
