"""The SQL behind every figure, as pieces of one statement: shared row sets (CTEs) and one JSON value per figure.

Each figure is a scalar subquery answering JSON; `statement` puts the figures asked for after the
row sets they read, so the whole report is one round trip that reads each row set once. Every
piece reads only what the period can touch: the period's cases (`population`), or the events
dated in the period and, where a figure needs a case's earlier history (its first meeting, its
stages before the period), only the history of the cases with such an event. The definitions are
in reporting/queries/__init__.py.

Table names are the models' (`{case}`...), formatted in; everything else is a named parameter
(ReportScope.sql_params, and the funnel's own).
"""

from __future__ import annotations

from dataclasses import dataclass

# "Is one of the chosen services": as a set to join, which the planner prices as the hash lookup it
# is (against `= ANY(array)`, priced as one comparison per element, it picks an index scan over
# every case of a national scope).
CHOSEN = "(SELECT unnest(%(agencies)s::bigint[]))"

# --- Row sets several figures read -------------------------------------------------------------------

# The period's cases: the cases a chosen service held at any time in the period while they were open, each once,
# from when a chosen service took it (or it opened) to when the last chosen one let it go (or it closed). A case that
# moved between services (cases.CaseHolding: one spell per service, the first from the case's opening) counts in
# each service for the days it held it; its current spell has no end.
POPULATION = """
    SELECT c.id, c.child_id,
           min(greatest(c.opened_at, coalesce(h.started_at, c.opened_at))) AS opened_at,
           CASE WHEN bool_or(h.ended_at IS NULL AND c.closed_at IS NULL) THEN NULL
                ELSE max(least(h.ended_at, c.closed_at)) END AS closed_at
    FROM {holding} h JOIN {case} c ON c.id = h.case_id
    WHERE h.agency_id IN {chosen}
      AND c.opened_at < %(end_at)s AND (c.closed_at IS NULL OR c.closed_at >= %(start_at)s)
      AND coalesce(h.started_at, c.opened_at) < %(end_at)s AND (h.ended_at IS NULL OR h.ended_at >= %(start_at)s)
    GROUP BY c.id, c.child_id"""

# Meetings held in the period (any service's: waiting times follow the referral's service).
PERIOD_MEETINGS = """
    SELECT m.id, m.case_id, m.purpose, m.starts_at
    FROM {meeting} m
    WHERE m.status = 'held' AND m.starts_at >= %(start_at)s AND m.starts_at < %(end_at)s"""

# ... and those of the chosen services' cases.
HELD_MEETINGS = """
    SELECT pm.id, pm.case_id, pm.purpose, pm.starts_at, c.owning_yjs_id
    FROM period_meetings pm JOIN {case} c ON c.id = pm.case_id
    WHERE c.owning_yjs_id IN {chosen}"""

# Each of the period's cases with an assessment by the end: its first and latest stage, and how many.
CASE_STAGES = """
    SELECT sa.case_id,
           (array_agg(s.number ORDER BY sa.assessed_on, sa.recorded_at, sa.id))[1] AS first_number,
           (array_agg(s.number ORDER BY sa.assessed_on DESC, sa.recorded_at DESC, sa.id DESC))[1] AS latest_number,
           count(*) AS assessments
    FROM {assessment} sa
    JOIN population p ON p.id = sa.case_id
    JOIN {stage} s ON s.id = sa.stage_id
    WHERE sa.assessed_on <= %(end)s
    GROUP BY sa.case_id"""


@dataclass(frozen=True)
class RowSet:
    sql: str
    reads: tuple[str, ...] = ()


ROW_SETS: dict[str, RowSet] = {
    "population": RowSet(POPULATION),
    "period_meetings": RowSet(PERIOD_MEETINGS),
    "held_meetings": RowSet(HELD_MEETINGS, ("period_meetings",)),
    "case_stages": RowSet(CASE_STAGES, ("population",)),
}


# --- One JSON value per figure -----------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    sql: str
    reads: tuple[str, ...] = ()


POPULATION_COUNT = Piece("SELECT count(*) FROM population", ("population",))

STAGE_NAMES = Piece(
    """
    SELECT json_agg(json_build_array(s.number, s.name))
    FROM {stage} s
    WHERE s.version_id = (SELECT v.id FROM {version} v ORDER BY v.number DESC LIMIT 1)"""
)

REFERRALS = Piece(
    """
    SELECT json_agg(json_build_array(agency_id, bucket, referrals)) FROM (
        SELECT r.referring_yjs_id AS agency_id,
               date_trunc(%(bucket)s, r.submitted_at AT TIME ZONE %(tz)s)::date AS bucket, count(*) AS referrals
        FROM {referral} r
        WHERE r.referring_yjs_id IN {chosen}
          AND r.submitted_at >= %(start_at)s AND r.submitted_at < %(end_at)s
        GROUP BY 1, 2
    ) found"""
)

TRIAGE = Piece(
    """
    SELECT json_agg(json_build_array(decision, decisions)) FROM (
        SELECT r.decision, count(*) AS decisions
        FROM {referral} r
        WHERE r.referring_yjs_id IN {chosen}
          AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_at)s AND r.decision <> ''
        GROUP BY 1
    ) found"""
)

# A case's first formulation meeting (or signed-off report) can only be in the period if the case
# has one in the period: only those cases' earlier ones are read.
WAITING = Piece(
    """
    SELECT json_agg(json_build_array(step, measured, cases, median, p90)) FROM (
        SELECT step, count(*) AS measured, count(DISTINCT unit) AS cases,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median,
               percentile_cont(0.9) WITHIN GROUP (ORDER BY days) AS p90
        FROM (
            SELECT 'decision' AS step, r.id AS unit,
                   (r.decided_at AT TIME ZONE %(tz)s)::date - (r.submitted_at AT TIME ZONE %(tz)s)::date AS days
            FROM {referral} r
            WHERE r.referring_yjs_id IN {chosen} AND r.submitted_at IS NOT NULL
              AND r.decided_at >= %(start_at)s AND r.decided_at < %(end_at)s
            UNION ALL
            SELECT 'meeting', r.id,
                   (first.held_at AT TIME ZONE %(tz)s)::date - (r.submitted_at AT TIME ZONE %(tz)s)::date
            FROM (
                SELECT m.case_id, min(m.starts_at) AS held_at
                FROM {meeting} m
                WHERE m.purpose = 'formulation' AND m.status = 'held'
                  AND m.case_id IN (SELECT pm.case_id FROM period_meetings pm WHERE pm.purpose = 'formulation')
                GROUP BY m.case_id
            ) first
            JOIN {referral} r ON r.case_id = first.case_id
            WHERE r.referring_yjs_id IN {chosen} AND r.submitted_at IS NOT NULL
              AND first.held_at >= %(start_at)s AND first.held_at < %(end_at)s
            UNION ALL
            SELECT 'report', r.id,
                   (first.signed_at AT TIME ZONE %(tz)s)::date - (r.submitted_at AT TIME ZONE %(tz)s)::date
            FROM (
                SELECT f.case_id, min(f.signed_off_at) AS signed_at
                FROM {report} f
                WHERE f.signed_off_at IS NOT NULL
                  AND f.case_id IN (
                      SELECT s.case_id FROM {report} s
                      WHERE s.signed_off_at >= %(start_at)s AND s.signed_off_at < %(end_at)s
                  )
                GROUP BY f.case_id
            ) first
            JOIN {referral} r ON r.case_id = first.case_id
            WHERE r.referring_yjs_id IN {chosen} AND r.submitted_at IS NOT NULL
              AND first.signed_at >= %(start_at)s AND first.signed_at < %(end_at)s
        ) waits
        GROUP BY step
    ) found""",
    ("period_meetings",),
)

MEETINGS = Piece(
    """
    SELECT json_agg(json_build_array(owning_yjs_id, purpose, meetings)) FROM (
        SELECT hm.owning_yjs_id, hm.purpose, count(*) AS meetings
        FROM held_meetings hm
        GROUP BY 1, 2
    ) found""",
    ("held_meetings",),
)

# The invitations to the meetings held in the period, looked up meeting by meeting through the
# invitations' meeting index. (OFFSET 0 keeps the lookup per meeting: flattened into a join, the
# planner would walk the index over every invitation ever sent.)
PERIOD_INVITATIONS = """
    SELECT hm.case_id, hm.starts_at, invited.agency_id, invited.attendance
    FROM held_meetings hm
    CROSS JOIN LATERAL (
        SELECT i.agency_id, i.attendance
        FROM {invitation} i
        WHERE i.meeting_id = hm.id AND i.removed_at IS NULL AND i.attendance <> 'not_recorded'
        OFFSET 0
    ) invited"""
ROW_SETS["period_invitations"] = RowSet(PERIOD_INVITATIONS, ("held_meetings",))

ATTENDANCE = Piece(
    """
    SELECT json_agg(json_build_array(kind, recorded, attended, cases)) FROM (
        SELECT coalesce(a.kind, '') AS kind, count(*) AS recorded,
               count(*) FILTER (WHERE pi.attendance = 'attended') AS attended, count(DISTINCT pi.case_id) AS cases
        FROM period_invitations pi
        LEFT JOIN {agency} a ON a.id = pi.agency_id
        GROUP BY 1
    ) found""",
    ("period_invitations",),
)

STAGES = Piece(
    """
    SELECT json_agg(json_build_array(number, cases)) FROM (
        SELECT cs.latest_number AS number, count(*) AS cases
        FROM population p LEFT JOIN case_stages cs ON cs.case_id = p.id
        GROUP BY 1
    ) found""",
    ("population", "case_stages"),
)

MOVEMENT = Piece(
    """
    SELECT json_agg(json_build_array(movement, cases)) FROM (
        SELECT CASE WHEN cs.latest_number > cs.first_number THEN 'moved_on'
                    WHEN cs.latest_number = cs.first_number THEN 'same'
                    ELSE 'moved_back' END AS movement,
               count(*) AS cases
        FROM case_stages cs
        WHERE cs.assessments >= 2
        GROUP BY 1
    ) found""",
    ("case_stages",),
)

# A spell ends in the period only in a case assessed in the period: only those cases' histories are read.
DAYS_IN_STAGE = Piece(
    """
    SELECT json_agg(json_build_array(number, measured, cases, median)) FROM (
        SELECT number, count(*) AS measured, count(DISTINCT case_id) AS cases,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY left_on - entered_on) AS median
        FROM (
            SELECT case_id, number, assessed_on AS entered_on,
                   lead(assessed_on) OVER (PARTITION BY case_id ORDER BY assessed_on, recorded_at, id) AS left_on
            FROM (
                SELECT sa.case_id, s.number, sa.assessed_on, sa.recorded_at, sa.id,
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
            WHERE number_before IS DISTINCT FROM number
        ) spells
        WHERE left_on >= %(start)s AND left_on <= %(end)s
        GROUP BY number
    ) found"""
)

# When an action was marked done is looked up only for the actions that are done.
ACTIONS = Piece(
    """
    SELECT json_agg(json_build_array(kind, state, actions)) FROM (
        SELECT coalesce(a.kind, '') AS kind,
               CASE WHEN r.status = 'done' AND (
                        SELECT (min(h.pgh_created_at) AT TIME ZONE %(tz)s)::date
                        FROM {recommendation_history} h
                        WHERE h.pgh_obj_id = r.id AND h.status = 'done'
                    ) <= r.due_on THEN 'done_on_time'
                    WHEN r.status = 'done' THEN 'done_late'
                    WHEN r.status = 'no_longer_needed' THEN 'no_longer_needed'
                    WHEN r.due_on < %(today)s THEN 'overdue'
                    ELSE 'not_yet_due' END AS state,
               count(*) AS actions
        FROM {recommendation} r
        JOIN {case} c ON c.id = r.case_id
        LEFT JOIN {agency} a ON a.id = r.owner_agency_id
        WHERE c.owning_yjs_id IN {chosen}
          AND r.became_action_at IS NOT NULL AND r.due_on >= %(start)s AND r.due_on <= %(end)s
        GROUP BY 1, 2
    ) found"""
)

CONTINUITY = Piece(
    """
    SELECT json_build_array(
        (SELECT count(*) FROM population),
        (SELECT count(*) FROM {holder_change} h JOIN population p ON p.id = h.case_id
         WHERE h.previous_holder_id IS NOT NULL AND h.changed_at >= %(start_at)s AND h.changed_at < %(end_at)s),
        (SELECT coalesce(sum(extract(epoch FROM
                    least(p.closed_at, %(end_at)s) - greatest(p.opened_at, %(start_at)s))), 0)
         FROM population p) / (86400.0 * 365.25)
    )""",
    ("population",),
)

CONSULTATIONS = Piece(
    """
    SELECT json_agg(json_build_array(owning_yjs_id, consultations, cases)) FROM (
        SELECT c.owning_yjs_id, count(*) AS consultations, count(DISTINCT c.id) AS cases
        FROM {consultation} k JOIN {case} c ON c.id = k.case_id
        WHERE c.owning_yjs_id IN {chosen} AND k.held_on >= %(start)s AND k.held_on <= %(end)s
        GROUP BY 1
    ) found"""
)

GOALS = Piece(
    """
    SELECT json_build_array(count(*) FILTER (WHERE change > 0), count(*) FILTER (WHERE change = 0),
                            count(*) FILTER (WHERE change < 0), count(DISTINCT case_id), avg(change))
    FROM (
        SELECT g.case_id,
               (array_agg(gr.score ORDER BY gr.rated_on DESC, gr.recorded_at DESC, gr.id DESC))[1]
               - (array_agg(gr.score ORDER BY gr.rated_on, gr.recorded_at, gr.id))[1] AS change
        FROM {goal} g
        JOIN population p ON p.id = g.case_id
        JOIN {rating} gr ON gr.goal_id = g.id
        WHERE gr.rated_on <= %(end)s
        GROUP BY g.id, g.case_id
        HAVING count(*) >= 2 AND max(gr.rated_on) >= %(start)s
    ) changes""",
    ("population",),
)

DEMOGRAPHICS = Piece(
    """
    SELECT json_agg(json_build_array(dimension, category, cases)) FROM (
        SELECT 'age' AS dimension,
               CASE WHEN age < 10 THEN 'under_10' WHEN age <= 14 THEN '10_14'
                    WHEN age <= 17 THEN '15_17' ELSE '18_over' END AS category,
               count(*) AS cases
        FROM people GROUP BY 2
        UNION ALL SELECT 'gender', gender, count(*) FROM people GROUP BY 2
        UNION ALL SELECT 'ethnicity', ethnicity, count(*) FROM people GROUP BY 2
        UNION ALL SELECT 'looked_after', looked_after, count(*) FROM people GROUP BY 2
    ) found""",
    ("people",),
)
PEOPLE = RowSet(
    """
    SELECT date_part('year', age((p.opened_at AT TIME ZONE %(tz)s)::date, ch.date_of_birth)) AS age,
           ch.gender, ch.ethnicity, ch.looked_after
    FROM population p JOIN {child} ch ON ch.id = p.child_id""",
    ("population",),
)
ROW_SETS["people"] = PEOPLE


def funnel_piece(conditions: list[str]) -> Piece:
    """How many of the period's cases reach each step: those meeting its condition and every one before it.

    (Counted over the period's cases, each condition a lookup per case: as a filter, the planner would
    rather read every referral and action ever made into a hash.)
    """
    counts = [
        "count(*) FILTER (WHERE " + " AND ".join(conditions[: index + 1]) + ")" for index in range(len(conditions))
    ]
    select = "SELECT json_build_array(" + ", ".join(counts) + ") FROM population c"  # noqa: S608 - conditions' SQL
    return Piece(select, ("population",))


def statement(pieces: dict[str, Piece]) -> str:
    """One SELECT answering one JSON object, a key per piece, after every row set the pieces read."""
    known = ROW_SETS
    ordered: list[str] = []

    def need(name: str) -> None:
        if name in ordered:
            return
        for earlier in known[name].reads:
            need(earlier)
        ordered.append(name)

    for piece in pieces.values():
        for name in piece.reads:
            need(name)
    # Each row set is computed once, however many pieces read it.
    ctes = ",\n".join(f"{name} AS MATERIALIZED ({known[name].sql}\n)" for name in ordered)
    fields = ", ".join(f"'{key}', ({piece.sql})" for key, piece in pieces.items())
    head = f"WITH {ctes}\n" if ctes else ""
    return f"{head}SELECT json_build_object({fields})::text"
