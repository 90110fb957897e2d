"""The report's figures by month, the TRM flow and the key figures, laid out on the same sheet as every other
count (so they are suppressed together: a month's count is one count wherever it shows), and their charts.

Each monthly count joins the lines it adds up along: the months of referrals to the referrals' total, the months
of decisions to the triage total, the flow's cells to the movement figure's moved on / same / moved back. A line
is drawn only when the counts do add up (they always should: the same filter); if they did not, a line would
make the protection wrong, so it is left out rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings

from reporting import queries
from reporting.charts import Bar as ChartBar
from reporting.charts import (
    BarGroup,
    Cell,
    Chart,
    ChartRow,
    Point,
    Series,
    column_chart,
    flow_matrix,
    funnel_chart,
    grouped_bars,
    hbar_chart,
    line_chart,
)
from reporting.figures.cells import CellRef, CountRef, Figure, FigureSpec, MeasureRef, RowSpec, Sheet, Shown
from reporting.queries.trends import MonthActions, MonthWait, Trends
from reporting.scope import ReportScope

STAGES = range(1, 7)
# The triage target: the working days after which a referral waiting for triage reminds the team, as calendar days.
TARGET_WORKING_DAYS = settings.ECM_REMINDERS["TRIAGE_WAIT_WORKING_DAYS"]
TARGET_DAYS = round(TARGET_WORKING_DAYS * 7 / 5)
ATTENDANCE_KEY = re.compile(r"^attendance:(?P<kind>[^:]*):invited$")


@dataclass
class Planned:
    """What the trends add to the sheet before suppression: figures, the key figures and the monthly series."""

    specs: list[tuple[str, FigureSpec]]  # (the section it goes in, the figure)
    key: dict[str, CellRef]
    series: dict[str, list[CellRef]] = field(default_factory=dict)


def _adds_up(sheet: Sheet, members: list[CountRef], total: str) -> None:
    if total in sheet.values and sum(sheet.values[member.key] for member in members) == sheet.values[total]:
        sheet.line(members, CountRef(total))


def _partner_kinds(sheet: Sheet) -> list[str]:
    """The kinds of agency the attendance figure counts (whatever its rows are), from its counts' keys."""
    return [match["kind"] for key in sheet.values if (match := ATTENDANCE_KEY.match(key))]


def plan(scope: ReportScope, sheet: Sheet, figures: queries.Figures, trends: Trends) -> Planned:
    """Lay the monthly figures, the flow and the key figures out on the sheet (after the report's own)."""
    buckets = scope.buckets
    by = "month" if scope.by_month else "year"
    labels = [scope.bucket_label(bucket) for bucket in buckets]

    # Referrals and decisions by month.
    referrals = [CountRef(f"referrals:total:{bucket.isoformat()}") for bucket in buckets]
    decisions = [sheet.count(f"decisions:{bucket.isoformat()}", trends.decisions.get(bucket, 0)) for bucket in buckets]
    _adds_up(sheet, decisions, "triage:total")
    monthly = FigureSpec(
        key="referrals_by_month",
        title=f"Referrals and triage decisions by {by}",
        description=f"Referrals sent for triage in each {by} of the period, and triage decisions made in it.",
        header=[by.capitalize(), "Referrals received", "Triage decisions"],
        rows=[
            *[
                RowSpec(label, [sent, decided])
                for label, sent, decided in zip(labels, referrals, decisions, strict=True)
            ],
            RowSpec("The whole period", [CountRef("referrals:total"), CountRef("triage:total")], is_total=True),
        ],
    )

    # Waiting times by month, against the target.
    waits = []
    medians: list[CellRef] = []
    rows = []
    for label, bucket in zip(labels, buckets, strict=True):
        found = trends.waiting.get(bucket, MonthWait(0, 0, None, None))
        measured = sheet.count(f"waiting_by_month:{bucket.isoformat()}", found.measured)
        median = MeasureRef(found.median, found.cases, "days")
        waits.append(measured)
        medians.append(median)
        rows.append(RowSpec(label, [measured, median, MeasureRef(found.p90, found.cases, "days")]))
    _adds_up(sheet, waits, "waiting:decision")
    waiting = FigureSpec(
        key="waiting_by_month",
        title=f"Days from referral to triage decision, by {by}",
        description=f"The median and 90th percentile of the days from a referral being sent to its triage decision, "
        f"by the {by} of the decision. The target is a decision within {TARGET_WORKING_DAYS} working days (about "
        f"{TARGET_DAYS} days).",
        header=[by.capitalize(), "Referrals measured", "Median days", "90th percentile days"],
        rows=rows,
    )

    # The TRM flow: first stage to latest stage.
    names = figures.stage_names
    stage_labels = [f"Stage {number}" for number in STAGES]
    values = {(str(first), str(latest)): count for (first, latest), count in trends.flow.items()}
    grid, totals = sheet.grid("flow", [str(n) for n in STAGES], [str(n) for n in STAGES], values)
    _adds_up(sheet, [totals[-1]], "movement:total")
    moved = {
        "movement:moved_on": [grid[r][c] for r in range(6) for c in range(6) if c > r],
        "movement:same": [grid[r][r] for r in range(6)],
        "movement:moved_back": [grid[r][c] for r in range(6) for c in range(6) if c < r],
    }
    for total, members in moved.items():
        _adds_up(sheet, members, total)
    flow = FigureSpec(
        key="movement_flow",
        title="TRM movement: first stage to latest stage",
        description="The period's cases with two or more stage assessments by the end of the period, by their first "
        "stage (rows) and their latest stage (columns). Above the diagonal they moved on, on it they are at the same "
        "stage, below it they moved back.",
        header=["First stage", *stage_labels, "Total"],
        rows=[
            *[
                RowSpec(f"Stage {number}: {names.get(number, '')}".rstrip(": "), cells)
                for number, cells in zip(STAGES, grid, strict=True)
            ],
            RowSpec("Cases assessed twice or more", totals, is_total=True),
        ],
    )

    # Partner agencies' attendance, all kinds together, and by month.
    kinds = _partner_kinds(sheet)
    invited_total = sheet.count(
        "attendance:partners:invited", sum(sheet.values[f"attendance:{kind}:invited"] for kind in kinds)
    )
    attended_total = sheet.count(
        "attendance:partners:attended", sum(sheet.values[f"attendance:{kind}:attended"] for kind in kinds)
    )
    sheet.line([CountRef(f"attendance:{kind}:invited") for kind in kinds], invited_total)
    sheet.line([CountRef(f"attendance:{kind}:attended") for kind in kinds], attended_total)
    # The queries' kinds: "Other" is the invitations whose agency is not on ECM (kind "").
    month_kinds = {"" if kind == "other" else kind for kind in kinds}
    attendance_cases = max((seen.cases for kind, seen in figures.attendance.items() if kind in month_kinds), default=0)
    invited_months, attended_months = [], []
    attendance_series: list[CellRef] = []
    for bucket in buckets:
        seen = [found for (on, kind), found in trends.attendance.items() if on == bucket and kind in month_kinds]
        invited = sheet.count(f"attendance_by_month:{bucket.isoformat()}:invited", sum(s.recorded for s in seen))
        attended = sheet.count(f"attendance_by_month:{bucket.isoformat()}:attended", sum(s.attended for s in seen))
        invited_months.append(invited)
        attended_months.append(attended)
        recorded = sheet.values[invited.key]
        attendance_series.append(
            MeasureRef(
                sheet.values[attended.key] / recorded if recorded else None,
                max((s.cases for s in seen), default=0),
                "percent",
                share_of=(attended.key, invited.key),
            )
        )
    _adds_up(sheet, invited_months, invited_total.key)
    _adds_up(sheet, attended_months, attended_total.key)

    # Actions due and done by the due date, by month.
    action_series: list[CellRef] = []
    due_months, on_time_months = [], []
    for bucket in buckets:
        month = trends.actions.get(bucket, MonthActions(0, 0, 0))
        due = sheet.count(f"actions_by_month:{bucket.isoformat()}:due", month.due)
        on_time = sheet.count(f"actions_by_month:{bucket.isoformat()}:on_time", month.on_time)
        due_months.append(due)
        on_time_months.append(on_time)
        action_series.append(
            MeasureRef(
                month.on_time / month.due if month.due else None,
                month.cases,
                "percent",
                share_of=(on_time.key, due.key),
            )
        )
    _adds_up(sheet, due_months, "actions:total")
    _adds_up(sheet, on_time_months, "actions:total:done_on_time")
    action_cases = max((month.cases for month in trends.actions.values()), default=0)
    actions_due = sheet.values.get("actions:total", 0)

    open_months = [sheet.count(f"open:{bucket.isoformat()}", trends.open.get(bucket, 0)) for bucket in buckets]
    moves_up = [sheet.count(f"moves_up:{bucket.isoformat()}", trends.moves_up.get(bucket, 0)) for bucket in buckets]
    decision = figures.waiting.get("decision", queries.Spread(0, 0, None, None))

    key: dict[str, CellRef] = {
        "referrals": CountRef("referrals:total"),
        "open": CountRef("population"),
        "wait": MeasureRef(decision.median, decision.cases, "days"),
        "moved_on": CountRef("movement:moved_on"),
        "actions": MeasureRef(
            sheet.values.get("actions:total:done_on_time", 0) / actions_due if actions_due else None,
            action_cases,
            "percent",
            share_of=("actions:total:done_on_time", "actions:total"),
        ),
        "attendance": MeasureRef(
            sheet.values[attended_total.key] / sheet.values[invited_total.key]
            if sheet.values[invited_total.key]
            else None,
            attendance_cases,
            "percent",
            share_of=(attended_total.key, invited_total.key),
        ),
    }
    series: dict[str, list[CellRef]] = {
        "referrals": list(referrals),
        "open": list(open_months),
        "wait": medians,
        "moved_on": list(moves_up),
        "actions": action_series,
        "attendance": attendance_series,
    }
    return Planned(
        specs=[("referrals", monthly), ("referrals", waiting), ("trm", flow)],
        key=key,
        series=series,
    )


# --- Charts ------------------------------------------------------------------------------------------------


def _point(shown: Shown) -> Point:
    return Point(shown.value, shown.text)


def _rows(figure: Figure) -> list[ChartRow]:
    return [ChartRow(row.label, [cell.text for cell in row.cells], row.is_total) for row in figure.rows]


def _chart(figure: Figure, svg: object, title: str, description: str) -> Chart:
    return Chart(
        key=figure.key,
        title=title,
        description=description,
        svg=svg,  # type: ignore[arg-type]
        header=list(figure.header),
        rows=_rows(figure),
        notes=list(figure.notes),
    )


def _anything(points: list[Point]) -> bool:
    return any(point.value for point in points)


def referrals_chart(figure: Figure) -> Chart | None:
    """Referrals and decisions month by month, as columns side by side."""
    labels = [row.label for row in figure.body_rows]
    sent = Series("Referrals", [_point(row.cells[0]) for row in figure.body_rows])
    decided = Series("Decisions", [_point(row.cells[1]) for row in figure.body_rows])
    if not _anything(sent.points + decided.points):
        return None
    title = figure.title
    svg = column_chart(chart_id=f"chart-{figure.key}", title=title, labels=labels, series=[sent, decided])
    return _chart(figure, svg, title, "Columns show the middle of each range. " + _description(labels, [sent, decided]))


def _description(labels: list[str], series: list[Series], unit: str = "") -> str:
    from reporting.charts import describe_series

    return describe_series(labels, series, unit=unit)


def waiting_chart(figure: Figure) -> Chart | None:
    """The median and 90th percentile month by month, against the target."""
    labels = [row.label for row in figure.rows]
    median = Series("Median", [_point(row.cells[1]) for row in figure.rows])
    p90 = Series("90th percentile", [_point(row.cells[2]) for row in figure.rows])
    if not _anything(median.points + p90.points):
        return None
    target = f"Target {TARGET_DAYS} days"
    svg = line_chart(
        chart_id=f"chart-{figure.key}",
        title=figure.title,
        labels=labels,
        series=[median, p90],
        target=TARGET_DAYS,
        target_text=target,
        unit="days",
    )
    return _chart(figure, svg, figure.title, _description(labels, [median, p90], "days") + f" {target}.")


def attendance_chart(figure: Figure) -> Chart | None:
    """Invitations and attendances for each type of partner agency, with the rate after them."""
    groups = [
        BarGroup(row.label, [_point(row.cells[0]), _point(row.cells[1])], after=row.cells[2].text)
        for row in figure.body_rows
    ]
    if not _anything([point for group in groups for point in group.points]):
        return None
    description = "; ".join(
        f"{row.label}: {row.cells[0].text} invited, {row.cells[1].text} attended, rate {row.cells[2].text}"
        for row in figure.body_rows
    )
    svg = grouped_bars(
        chart_id=f"chart-{figure.key}",
        title=figure.title,
        description=description + ".",
        groups=groups,
        names=["Invited", "Attended"],
    )
    return _chart(figure, svg, figure.title, description + ".")


def flow_chart(figure: Figure) -> Chart | None:
    body = figure.body_rows
    cells = [[Cell(shown.value, shown.text) for shown in row.cells[:6]] for row in body]
    if not any(cell.value for row in cells for cell in row):
        return None
    description = "; ".join(
        f"first at stage {first}: "
        + ", ".join(f"latest stage {latest} {cells[first - 1][latest - 1].text}" for latest in STAGES)
        for first in STAGES
    )
    svg = flow_matrix(
        chart_id=f"chart-{figure.key}",
        title=figure.title,
        description=description + ".",
        stages=[f"Stage {number}" for number in STAGES],
        cells=cells,
    )
    return _chart(figure, svg, figure.title, description + ".")


def bars_chart(figure: Figure, *, title: str, column: int = 0, total: bool = False) -> Chart | None:
    """One bar per row (or, with `total`, per column of the total row)."""
    if total:
        [total_row] = figure.total_rows
        bars = [
            ChartBar(label, shown.value, shown.text)
            for label, shown in zip(figure.header[1:-1], total_row.cells[:-1], strict=True)
        ]
    else:
        bars = [ChartBar(row.label, row.cells[column].value, row.cells[column].text) for row in figure.body_rows]
    if not any(bar.value for bar in bars):
        return None
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars) + "."
    svg = hbar_chart(chart_id=f"chart-{figure.key}", title=title, description=description, bars=bars)
    return _chart(figure, svg, title, description)


def funnel_of(figure: Figure, title: str) -> Chart | None:
    steps = [
        BarGroup(
            row.label,
            [_point(row.cells[0])],
            after=f"{row.cells[1].text} of the {'step before' if index else 'period' + chr(39) + 's cases'}",
        )
        for index, row in enumerate(figure.rows)
    ]
    if not _anything([step.points[0] for step in steps]):
        return None
    description = "; ".join(f"{step.label}: {step.points[0].text} ({step.after})" for step in steps) + "."
    svg = funnel_chart(chart_id=f"chart-{figure.key}", title=title, description=description, steps=steps)
    return _chart(figure, svg, title, description)


def attach_charts(figures: list[Figure], funnel_title: str) -> None:
    """Give each figure that reads better as a picture its chart (replacing the plain bar chart where there is one)."""
    builders = {
        "referrals_by_month": referrals_chart,
        "waiting_by_month": waiting_chart,
        "attendance": attendance_chart,
        "movement_flow": flow_chart,
        "movement": lambda figure: bars_chart(figure, title="TRM movement from first to latest assessment"),
        "triage": lambda figure: bars_chart(figure, title="Triage outcomes"),
        "stages": lambda figure: bars_chart(figure, title="Cases by TRM stage at the end of the period"),
        "actions": lambda figure: bars_chart(
            figure, title="Actions due in the period, by where they stand", total=True
        ),
        "goals": lambda figure: bars_chart(figure, title="Goal-based outcomes: change from first to latest rating"),
        "mental_health": lambda figure: funnel_of(figure, funnel_title),
        "referrals": lambda figure: None,  # its months are charted with the decisions (referrals_by_month)
    }
    for figure in figures:
        builder = builders.get(figure.key)
        if builder is not None:
            figure.chart = builder(figure)


def bucket_labels(scope: ReportScope) -> list[str]:
    return [scope.bucket_label(bucket) for bucket in scope.buckets]


def month_dates(scope: ReportScope) -> list[dt.date]:
    return list(scope.buckets)
