"""The report: every figure as a table (and a chart where one helps), with small numbers suppressed.

`build_report` runs the queries (reporting/queries.py), lays every count out on one sheet with
the lines it adds up along, lets reporting/suppression.py decide what to hide across the whole
report at once (a count shown in two tables is one count), and only then writes the text of each
cell: every count as its range of five ("0", "<5", "10–14") or "[c]". The page, the CSV and the PDF
all show these same cells, so they cannot disagree, and no path shows an exact count. The report
keeps the lines (keys only, never a value) so that anyone can check what its cells give away
(tests/reporting/test_differencing.py does, across every choice the page offers).

Suppression applies to everyone who reads reports, not only commissioners: the design promises
"never an identifiable child", and a manager's own service is where small numbers identify most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from reporting import queries
from reporting.figures import tables, trends
from reporting.figures.cells import CountRef, Figure, FigureRow, Section, Sheet, Shown, render, show
from reporting.indicators import Funnel, load_funnel
from reporting.queries.trends import PIECES as TREND_PIECES
from reporting.queries.trends import Trends, trends_from
from reporting.scope import ReportScope
from reporting.suppression import Line, protect

EMPTY_TRENDS = Trends(decisions={}, waiting={}, open={}, moves_up={}, actions={}, attendance={}, flow={})

__all__ = ["Figure", "FigureRow", "Report", "Section", "Shown", "build_report"]


@dataclass
class Report:
    scope: ReportScope
    headline: list[tuple[str, Shown]]
    sections: list[Section]
    funnel: Funnel
    made_at: dt.datetime
    # The lines the published counts add up along (each cell's `Shown.key`): keys only, no count.
    lines: list[Line] = field(default_factory=list)
    # The key figures of the headline page (reporting/headline.py), by name, and each one month by month
    # (`labels`: the months, or years, of the period).
    key: dict[str, Shown] = field(default_factory=dict)
    series: dict[str, list[Shown]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)

    def figures(self) -> Iterator[Figure]:
        for section in self.sections:
            yield from section.figures

    def figure(self, key: str) -> Figure:
        return next(figure for figure in self.figures() if figure.key == key)


def build_report(scope: ReportScope) -> Report:
    """Every figure for the scope, suppressed together: one statement (after turning JIT off), whatever the size,
    with the figures by month (reporting/queries/trends.py) asked for in it."""
    funnel = load_funnel("mental_health")
    with queries.report_transaction():
        figures = queries.report_figures(scope, funnel, TREND_PIECES)
    return lay_out(scope, figures, funnel, trends_from(figures.extra))


def lay_out(scope: ReportScope, figures: queries.Figures, funnel: Funnel, monthly: Trends | None = None) -> Report:
    """The report's tables from the figures' answers, with small numbers suppressed across all of them."""
    sheet = Sheet()
    names = figures.stage_names
    population = sheet.count(tables.POPULATION, figures.population)
    referrals = tables.referrals(scope, sheet, figures)
    triage = tables.triage(scope, sheet, figures)
    meetings = tables.meetings(scope, sheet, figures)
    consultations = tables.consultations(scope, sheet, figures)
    goals, goal_mean = tables.goals(scope, sheet, figures)
    sections_specs = [
        (
            "referrals",
            "Referrals, triage and waiting times",
            [referrals, triage, tables.waiting(scope, sheet, figures)],
        ),
        (
            "meetings",
            "Formulation meetings, reviews and attendance",
            [meetings, tables.attendance(scope, sheet, figures)],
        ),
        (
            "trm",
            "Trauma Recovery Model",
            [
                tables.stages(scope, sheet, figures, names),
                tables.movement(scope, sheet, figures),
                tables.days_in_stage(scope, sheet, figures, names),
            ],
        ),
        ("actions", "Recommendations and actions", [tables.actions(scope, sheet, figures)]),
        (
            "continuity",
            "Continuity and consultations",
            [tables.continuity(scope, sheet, figures, population), consultations],
        ),
        (
            "outcomes",
            "Outcomes",
            [goals, goal_mean, tables.mental_health(scope, sheet, figures, funnel, population)],
        ),
        ("demographics", "Who ECM worked with", tables.demographics(scope, sheet, figures)),
    ]
    planned = trends.plan(scope, sheet, figures, monthly or EMPTY_TRENDS)
    for section_key, spec in planned.specs:
        # Each after the figure it details (the months of referrals first, before the table by service).
        [specs] = [specs for key, _, specs in sections_specs if key == section_key]
        after = {"referrals_by_month": None, "waiting_by_month": "waiting", "movement_flow": "movement"}[spec.key]
        place = 0 if after is None else next(i for i, one in enumerate(specs) if one.key == after) + 1
        specs.insert(place, spec)
    protection = protect(sheet.values, sheet.lines, displayed=sheet.displayed)
    headline = [
        ("Cases open in the period", show(population, sheet, protection)),
        ("Referrals received", show(CountRef("referrals:total"), sheet, protection)),
        ("Triage decisions", show(CountRef("triage:total"), sheet, protection)),
        ("Formulation meetings held", show(CountRef("meetings:total:formulation"), sheet, protection)),
        ("Reviews held", show(CountRef("meetings:total:review"), sheet, protection)),
        ("Consultations delivered", show(CountRef("consultations:total"), sheet, protection)),
    ]
    sections = [
        Section(key, title, [render(spec, sheet, protection) for spec in specs]) for key, title, specs in sections_specs
    ]
    trends.attach_charts([figure for section in sections for figure in section.figures], funnel.title)
    return Report(
        scope=scope,
        headline=headline,
        sections=sections,
        funnel=funnel,
        made_at=timezone.now(),
        lines=list(sheet.lines),
        key={name: show(cell, sheet, protection) for name, cell in planned.key.items()},
        series={name: [show(cell, sheet, protection) for cell in cells] for name, cells in planned.series.items()},
        labels=trends.bucket_labels(scope),
    )
