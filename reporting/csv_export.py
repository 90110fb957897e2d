"""The report's tables as one CSV file, as a spreadsheet should open it and never run it.

UTF-8 with a byte order mark, so Excel reads "–" and "é" right. Any cell that a spreadsheet would
take for a formula (beginning with =, +, -, @, a tab or a carriage return) starts with a single
quote instead: service names come from people, and a name like "=HYPERLINK(...)" must stay text.
The cells are the page's own (reporting/figures.py), so the suppression is the same.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone

from reporting.figures import Report
from reporting.suppression import RANGE_DASH

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading single quote."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


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


def report_csv(report: Report) -> bytes:
    """The whole report as CSV bytes, UTF-8 with a byte order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in report_rows(report):
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
