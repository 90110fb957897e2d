"""The headline page's key figures: each as published, its change against the comparison period and a sparkline
month by month (reporting/charts.py), for the reports page and the summary PDF alike.

Everything comes from the cached reports (`Report.key` and `Report.series`, suppressed with the rest of each
report), so a key figure shows exactly what the tables below it show, and a change follows the comparison rule
(reporting/comparison.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from reporting import comparison
from reporting.charts import Chart, Point, sparkline
from reporting.comparison import Change, change
from reporting.figures import Report
from reporting.report_cache import reports_compared
from reporting.scope import ReportScope


@dataclass(frozen=True)
class KeyFigureSpec:
    key: str
    label: str
    counts: str  # what it counts, in one line
    series: str  # what its sparkline shows, month by month
    unit: str = ""
    section: str = ""  # the section of the page that details it


KEY_FIGURES = [
    KeyFigureSpec(
        "referrals", "Referrals received", "Referrals sent for triage in the period.", "Referrals", section="referrals"
    ),
    KeyFigureSpec(
        "open",
        "Cases open",
        "Cases open at any time in the period.",
        "Cases open in the month",
        section="demographics",
    ),
    KeyFigureSpec(
        "wait",
        "Median wait for a triage decision",
        "Days from the referral to its triage decision, for decisions made in the period.",
        "Median days",
        unit="days",
        section="referrals",
    ),
    KeyFigureSpec(
        "moved_on",
        "Moved on a TRM stage",
        "Cases whose latest Trauma Recovery Model stage is above their first.",
        "Moves up a stage",
        section="trm",
    ),
    KeyFigureSpec(
        "actions",
        "Actions done on time",
        "Share of the actions due in the period that were done by their due date.",
        "Share done on time",
        section="actions",
    ),
    KeyFigureSpec(
        "attendance",
        "Partner attendance",
        "Share of partner agencies' invitations to meetings held in the period that were attended.",
        "Attendance rate",
        section="meetings",
    ),
]


@dataclass(frozen=True)
class KeyFigure:
    """One key figure as shown: `value` is the published text ("10–14", "36.4 days", "<5 cases")."""

    key: str
    label: str
    counts: str
    value: str
    suppressed: bool
    change: Change | None  # None when there is no comparison period
    sparkline: SafeString
    section: str

    @property
    def change_text(self) -> str:
        return self.change.text if self.change is not None else ""


@dataclass(frozen=True)
class Headline:
    """The key figures of a scope, compared with `earlier_scope` (None: no comparison), `when` in words."""

    figures: list[KeyFigure]
    earlier_scope: ReportScope | None
    when: str


# The charts the headline page and the summary PDF lead with, in the order.
LEADING_CHARTS = [
    "referrals_by_month",
    "waiting_by_month",
    "attendance",
    "movement_flow",
    "actions",
    "goals",
    "mental_health",
]


def report_charts(report: Report, keys: Sequence[str] = LEADING_CHARTS) -> list[Chart]:
    """The report's charts named by `keys`, in that order (a figure with nothing to draw has none: left out)."""
    charts = {figure.key: figure.chart for figure in report.figures() if isinstance(figure.chart, Chart)}
    return [charts[key] for key in keys if key in charts]


def headline_for(scope: ReportScope, compare: str = comparison.DEFAULT) -> Headline:
    """The key figures of `scope` against the period `compare` names (reporting.comparison: PREVIOUS, LAST_YEAR
    or NONE), from the day's cached reports (the same reports the page shows)."""
    earlier_scope = comparison.comparison_scope(scope, compare)
    report, earlier = reports_compared(scope, earlier_scope)
    when = comparison.period_words(compare)
    return Headline(headline_figures(report, earlier, when=when), earlier_scope, when)


def _value(shown_text: str, suppressed: bool, unit: str) -> str:
    return f"{shown_text} {unit}" if unit and not suppressed else shown_text


def headline_figures(report: Report, previous: Report | None = None, *, when: str = "") -> list[KeyFigure]:
    """The key figures of `report`, each with its change against `previous` (the comparison period's report, made
    for the same services; None for no comparison) described as `when` ("the previous period")."""
    figures = []
    for spec in KEY_FIGURES:
        shown = report.key.get(spec.key)
        if shown is None:  # a report cached before the key figures existed: never, REPORT_VERSION retires them
            continue
        suppressed = shown.value is None
        moved = None
        if previous is not None and spec.key in previous.key:
            moved = change(shown, previous.key[spec.key], unit=spec.unit, when=when or "the comparison period")
        points = [Point(month.value, month.text) for month in report.series.get(spec.key, [])]
        figures.append(
            KeyFigure(
                key=spec.key,
                label=spec.label,
                counts=spec.counts,
                value=_value(shown.text, suppressed, spec.unit),
                suppressed=suppressed,
                change=moved,
                sparkline=sparkline(
                    chart_id=f"spark-{spec.key}",
                    title=spec.series,
                    labels=report.labels,
                    points=points,
                    unit=spec.unit,
                ),
                section=spec.section,
            )
        )
    return figures
