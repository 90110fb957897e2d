"""The report's figures as CSV, as a spreadsheet or a BI tool should load it and never run it.

Two layouts of the same cells (reporting/figures/: the page's own, so the suppression is the same):

- **tidy** (`report_tidy_csv`, /reports/figures.csv): one table, one row per figure, every row the
  same seven columns `measure,breakdown,services,period_start,period_end,value,suppressed`. Dates
  are ISO (a month's column of a monthly table is that month, within the period). A suppressed
  figure's value is the published marker ("<5", "[c]", "<5 cases": never a number) and
  `suppressed` is `true`; every other value is the published range or measure ("10–14", "36.4").
- **as on screen** (`report_csv`, /reports/figures-as-shown.csv): the page's tables one after
  another, each with its title, definition and notes.

UTF-8 with a byte order mark, so Excel reads "–" and "é" right. Any cell that a spreadsheet would
take for a formula (beginning with =, +, -, @, a tab or a carriage return) starts with a single
quote instead: service names come from people, and a name like "=HYPERLINK(...)" must stay text.
In the tidy layout a value that is a plain number ("+1.3", "-0.5") is left as it is: a number is
never a formula, and a BI tool should read it as one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence

from django.utils import timezone

from reporting.figures import Figure, FigureRow, Report
from reporting.scope import ReportScope
from reporting.suppression import FEW_CASES, HIDDEN_COUNT, RANGE_DASH, SMALL_COUNT

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIDY_HEADER = ["measure", "breakdown", "services", "period_start", "period_end", "value", "suppressed"]
# The published markers of a figure that is not shown (reporting/suppression.py MARKS).
SUPPRESSED_MARKS = frozenset({SMALL_COUNT, HIDDEN_COUNT, FEW_CASES})
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
SERVICE_COLUMN = "Service"


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading single quote."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _tidy_value(text: str) -> str:
    return text if PLAIN_NUMBER.fullmatch(text) else safe_cell(text)


def _csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return (BOM + buffer.getvalue()).encode("utf-8")


def _bucket_periods(scope: ReportScope) -> dict[str, tuple[dt.date, dt.date]]:
    """Each month's (or year's) column label, and the days of the period it covers."""
    periods: dict[str, tuple[dt.date, dt.date]] = {}
    buckets = scope.buckets
    for index, bucket in enumerate(buckets):
        following = buckets[index + 1] if index + 1 < len(buckets) else None
        last = (following - dt.timedelta(days=1)) if following else scope.end
        periods[scope.bucket_label(bucket)] = (max(bucket, scope.start), min(last, scope.end))
    return periods


def _row_services(figure: Figure, row: FigureRow, scope: ReportScope) -> str:
    """The services a row's figures cover: the row's own service in a table by service, else all chosen."""
    names = [agency.name for agency in scope.agencies]
    if figure.header and figure.header[0] == SERVICE_COLUMN and not row.is_total and row.label in names:
        return row.label
    return "; ".join(names)


def report_tidy_rows(report: Report) -> Iterable[list[str]]:
    """The header, then one row per figure of every table (cells as published, not yet made safe)."""
    scope = report.scope
    periods = _bucket_periods(scope)
    whole = (scope.start, scope.end)
    yield list(TIDY_HEADER)
    for figure in report.figures():
        columns = figure.header[1:]
        by_bucket = any(column in periods for column in columns)
        for row in figure.rows:
            label = row.label or figure.title
            breakdown = f"{figure.header[0]}: {label}" if figure.header[0] and not row.is_total else label
            services = _row_services(figure, row, scope)
            for column, shown in zip(columns, row.cells, strict=False):
                # A month's column (referrals by service and month) or a month's row (by month): that month.
                start, end = periods.get(column) or periods.get(row.label) or whole
                single = len(columns) == 1 or (by_bucket and (column in periods or column == "Total"))
                measure = figure.title if single else f"{figure.title}: {column}"
                suppressed = shown.csv in SUPPRESSED_MARKS
                yield [
                    measure,
                    breakdown,
                    services,
                    start.isoformat(),
                    end.isoformat(),
                    shown.csv,
                    "true" if suppressed else "false",
                ]


def report_tidy_csv(report: Report) -> bytes:
    """The report as one tidy table (`TIDY_HEADER`), UTF-8 with a byte order mark."""
    rows = iter(report_tidy_rows(report))
    header = next(rows)
    return _csv_bytes(
        [header, *([*(safe_cell(cell) for cell in row[:5]), _tidy_value(row[5]), row[6]] for row in rows)]
    )


def report_rows(report: Report) -> Iterable[Sequence[object]]:
    """Every line of the CSV: what it covers, then each table with its title, definition and notes."""
    scope = report.scope
    yield ["ECM aggregate figures"]
    yield ["Period", scope.period_text]
    yield ["Services", "; ".join(agency.name for agency in scope.agencies)]
    made = timezone.localtime(report.made_at)
    yield ["Made", f"{made.day} {made:%B %Y} at {made:%H:%M}"]
    yield [
        "How counts are shown",
        f"Each count as the range of five it falls in (23 as 20{RANGE_DASH}24); 0 to 4 as <5; [c] hides a "
        "count the others in its table would give away; rates are worked out from the ranges",
    ]
    yield []
    yield ["Summary"]
    for label, shown in report.headline:
        yield [label, shown.csv]
    for section in report.sections:
        for figure in section.figures:
            yield []
            yield [f"{section.title}: {figure.title}"]
            yield [figure.description]
            yield figure.header
            for row in figure.rows:
                yield [row.label, *[cell.csv for cell in row.cells]]
            for note in figure.notes:
                yield [note]


def report_as_shown_csv(report: Report) -> bytes:
    """The report's tables as on screen (one headed table after another), UTF-8 with a byte order mark."""
    return _csv_bytes([safe_cell(cell) for cell in row] for row in report_rows(report))


def report_csv(report: Report) -> bytes:
    """The figures CSV (/reports/figures.csv): the tidy table, one row per figure."""
    return report_tidy_csv(report)
