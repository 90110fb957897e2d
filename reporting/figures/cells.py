"""What a report's tables are made of: counts and measures laid out on one sheet before suppression,
and the cells the page, the CSV and the PDF show after it (reporting/figures/__init__.py explains)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from reporting.charts import Bar, Chart, bar_chart
from reporting.suppression import (
    FEW_CASES,
    HIDDEN_COUNT,
    NO_CASES,
    SMALL_COUNT,
    SUPPRESSION_THRESHOLD,
    Line,
    Protection,
    band,
    share_text,
)

# --- What a table holds before suppression ---------------------------------------------------------


@dataclass(frozen=True)
class CountRef:
    key: str


@dataclass(frozen=True)
class MeasureRef:
    """A rate, median or mean: shown only from at least 5 cases, hidden when a count it is made from is.

    A share of two published counts (`share_of`: the numerator's key, then the denominator's) is worked out
    from their published ranges, never from the exact counts (reporting/suppression.py explains).
    """

    value: float | None
    cases: int
    style: str  # "percent", "days", "decimal" or "signed"
    depends_on: tuple[str, ...] = ()
    share_of: tuple[str, str] | None = None


CellRef = CountRef | MeasureRef


@dataclass(frozen=True)
class RowSpec:
    label: str
    cells: Sequence[CellRef]
    is_total: bool = False


@dataclass(frozen=True)
class ChartSpec:
    column: int  # which cell of each (non-total) row the bars show
    title: str
    maximum: float | None = None
    rows: str = "body"  # "body": each row; "total": the cells of the total row, one bar per column


@dataclass
class FigureSpec:
    key: str
    title: str
    description: str
    header: list[str]
    rows: list[RowSpec]
    notes: list[str] = field(default_factory=list)
    chart: ChartSpec | None = None


# --- What the page, the CSV and the PDF show ---------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    text: str  # for the page and the PDF
    csv: str  # for the CSV: no thousands separators
    value: float | None  # for charts: the middle of a range; None when "<5", hidden or not measured
    numeric: bool = True
    key: str | None = None  # the count shown (None for a rate, median or mean)


@dataclass(frozen=True)
class FigureRow:
    label: str
    cells: list[Shown]
    is_total: bool = False


@dataclass
class Figure:
    key: str
    title: str
    description: str
    header: list[str]
    rows: list[FigureRow]
    notes: list[str]
    # An SVG string (the plain bar chart) or a `Chart` (reporting/charts.py), which renders as its SVG.
    chart: SafeString | Chart | None = None

    @property
    def body_rows(self) -> list[FigureRow]:
        return [row for row in self.rows if not row.is_total]

    @property
    def total_rows(self) -> list[FigureRow]:
        return [row for row in self.rows if row.is_total]


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure]


# --- Laying the counts out ---------------------------------------------------------------------------


class Sheet:
    """Every count of the report, the lines they add up along, and which are shown."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}
        self.lines: list[Line] = []
        self.displayed: set[str] = set()

    def count(self, key: str, value: int, *, displayed: bool = True) -> CountRef:
        if key in self.values and self.values[key] != value:
            raise ValueError(f"{key} is {self.values[key]} and {value}: one count, two values")
        self.values[key] = int(value)
        if displayed:
            self.displayed.add(key)
        return CountRef(key)

    def line(self, members: Sequence[CountRef], total: CountRef) -> None:
        self.lines.append(Line(tuple(member.key for member in members), total.key))

    def distribution(self, prefix: str, values: dict[str, int], total_key: str | None = None) -> list[CountRef]:
        """One count per category, adding up to a total (kept under `total_key` when it is shared)."""
        cells = [self.count(f"{prefix}:{category}", value) for category, value in values.items()]
        total = self.count(total_key or f"{prefix}:total", sum(values.values()))
        self.line(cells, total)
        return [*cells, total]

    def grid(
        self, prefix: str, rows: Sequence[str], columns: Sequence[str], values: dict[tuple[str, str], int]
    ) -> tuple[list[list[CountRef]], list[CountRef]]:
        """A table of counts with a total for each row, each column and the whole, and every line between them.

        Returns each row's cells (its total last) and the totals row (the grand total last).
        """

        def value(row: str, column: str) -> int:
            return values.get((row, column), 0)

        grid = [[self.count(f"{prefix}:{row}:{column}", value(row, column)) for column in columns] for row in rows]
        row_totals = [
            self.count(f"{prefix}:{row}:total", sum(value(row, column) for column in columns)) for row in rows
        ]
        column_totals = [
            self.count(f"{prefix}:total:{column}", sum(value(row, column) for row in rows)) for column in columns
        ]
        grand = self.count(f"{prefix}:total", sum(values.values()))
        for cells, total in zip(grid, row_totals, strict=True):
            self.line(cells, total)
        for index, total in enumerate(column_totals):
            self.line([cells[index] for cells in grid], total)
        self.line(row_totals, grand)
        self.line(column_totals, grand)
        return [[*cells, total] for cells, total in zip(grid, row_totals, strict=True)], [*column_totals, grand]


def _number(value: float) -> str:
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"


def _measure_text(measure: MeasureRef) -> str:
    value = measure.value
    assert value is not None  # noqa: S101 - checked by the caller
    if measure.style == "percent":
        return f"{round(value * 100)}%"
    if measure.style == "decimal":
        return f"{value:.2f}"
    if measure.style == "signed":
        return f"{value:+.1f}"
    return _number(value)


def show(cell: CellRef, sheet: Sheet, protection: Protection) -> Shown:
    if isinstance(cell, CountRef):
        value = sheet.values[cell.key]
        text, csv = protection.text(cell.key, value), protection.text(cell.key, value, separators=False)
        if protection.is_hidden(cell.key) or text == SMALL_COUNT:
            return Shown(text, csv, None, key=cell.key)
        low, high = band(value)
        return Shown(text, csv, (low + high) / 2, key=cell.key)
    if cell.cases < SUPPRESSION_THRESHOLD:  # none at all included: 0 is not told apart from 1 to 4
        return Shown(FEW_CASES, FEW_CASES, None)
    if cell.value is None:
        return Shown(NO_CASES, NO_CASES, None)
    keys = (*cell.depends_on, *(cell.share_of or ()))
    if any(protection.is_hidden(key) for key in keys):
        return Shown(HIDDEN_COUNT, HIDDEN_COUNT, None)
    if cell.share_of is not None:
        numerator, denominator = (protection.bounds(key, sheet.values[key]) for key in cell.share_of)
        text, middle = share_text(numerator, denominator)
        return Shown(text, text, middle)
    text = _measure_text(cell)
    return Shown(text, text.replace(",", ""), float(cell.value))


def render(spec: FigureSpec, sheet: Sheet, protection: Protection) -> Figure:
    rows = [
        FigureRow(row.label, [show(cell, sheet, protection) for cell in row.cells], row.is_total) for row in spec.rows
    ]
    figure = Figure(spec.key, spec.title, spec.description, spec.header, rows, spec.notes)
    if spec.chart is not None:
        chart = spec.chart
        if chart.rows == "total":
            [total_row] = figure.total_rows
            bars = [
                Bar(label, shown.value, shown.text)
                for label, shown in zip(spec.header[1:-1], total_row.cells[:-1], strict=True)
            ]
        else:
            shown = [(row.label, row.cells[chart.column]) for row in figure.body_rows]
            bars = [Bar(label, cell.value, cell.text) for label, cell in shown]
        # A chart with no bar to draw (every figure suppressed, or nothing) would only repeat the table.
        if any(bar.value for bar in bars):
            figure.chart = bar_chart(chart_id=f"chart-{spec.key}", title=chart.title, bars=bars, maximum=chart.maximum)
    return figure
