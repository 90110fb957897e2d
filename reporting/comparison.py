"""Comparisons: a period against the previous period of the same length or the same period last year, and
services side by side, none of them giving away a small number.

What is compared is only ever what each side publishes: both sides are whole reports (reporting/figures/), each
suppressed on its own exactly as the person would see it by choosing that period or that service, so a
comparison shows nothing a person could not read off two pages. On top of that, the rule of the differencing
attack (tests/reporting/test_differencing.py, issue 15) is applied to what a comparison adds:

- a change is not shown when either side is suppressed ("<5", "[c]", "<5 cases", "No cases"): it would say
  which way a small number went;
- a change between two counts is worked out from their published ranges only, and is not shown when those pin
  the difference to one number from 1 to 4 (`forced_difference`, the attack's pair rule);
- side by side, the services' counts add up to the count for all of them: when the published ranges pin a
  service's count to one number from 1 to 4 (`pinned_parts`, the attack's rule for the parts), that figure's
  cells are hidden ("[c]") in the side-by-side table.

Counts are published as ranges of five, so with today's rule neither check ever fires: they are the guard that
keeps a comparison safe if a figure is ever published more exactly (tests/reporting/test_comparison.py removes
the ranges to show they do).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from accounts.models import Agency
from reporting.figures import Figure, FigureRow, Report, Section, Shown
from reporting.scope import ReportScope
from reporting.suppression import HIDDEN_COUNT, UNKNOWN, Line, narrow

PREVIOUS = "previous"
LAST_YEAR = "last_year"
SERVICES = "services"
NONE = "none"
CHOICES = [
    (PREVIOUS, "The previous period of the same length"),
    (LAST_YEAR, "The same period last year"),
    (SERVICES, "Services side by side"),
    (NONE, "No comparison"),
]
# What the page compares with until the person chooses: the previous period. A cold page then makes two reports
# (this period's and the previous one's), about twice the time of one; NONE makes the cold page one report.
DEFAULT = PREVIOUS
# More services than this side by side would be a table nobody reads (and a report each to make).
MOST_SIDE_BY_SIDE = 8
# Which column of a table is compared (the first figure column unless named here).
COMPARED_COLUMN = {"waiting": 1, "attendance": 2, "days_in_stage": 1, "goal_mean": 1, "continuity": 1}
# Tables not compared row by row: a column a month (the periods' months differ) or a column a service.
NOT_COMPARED = {"referrals", "referrals_by_month", "waiting_by_month", "movement_flow"}

_RANGE = re.compile(r"^([\d,]+)–([\d,]+)$")
_NUMBER = re.compile(r"^[\d,]+$")


# --- The periods -------------------------------------------------------------------------------------------


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _whole_months(start: dt.date, end: dt.date) -> int:
    """How many calendar months the period is, when it is whole months (from a 1st to a month's last day); else 0."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` before `day` (itself a first)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def comparison_scope(scope: ReportScope, kind: str) -> ReportScope | None:
    """The period to compare with, over the same services (None: not a comparison of periods)."""
    if kind == PREVIOUS:
        end = scope.start - dt.timedelta(days=1)
        months = _whole_months(scope.start, scope.end)
        if months:  # whole months: as many whole months before (2025 against 2024, a quarter against the one before)
            start = _months_before(scope.start, months)
        else:  # as many days before
            start = end - dt.timedelta(days=(scope.end - scope.start).days)
    elif kind == LAST_YEAR:
        start, end = _year_before(scope.start), _year_before(scope.end)
    else:
        return None
    return ReportScope(start=start, end=end, agencies=scope.agencies, today=scope.today)


def period_words(kind: str) -> str:
    return {PREVIOUS: "the previous period", LAST_YEAR: "the same period last year"}.get(kind, "")


# --- The rule --------------------------------------------------------------------------------------------------


def published_bounds(text: str) -> tuple[int, int] | None:
    """What a published count can be from its own cell: "<5" is 0 to 4, "10–14" 10 to 14, "[c]" anything, an
    exact number itself; None for a cell that is not a count (a rate, a median)."""
    if text == "<5":
        return (0, 4)
    if text == HIDDEN_COUNT:
        return (0, UNKNOWN)
    if match := _RANGE.match(text):
        return (int(match[1].replace(",", "")), int(match[2].replace(",", "")))
    if _NUMBER.match(text):
        value = int(text.replace(",", ""))
        return (value, value)
    return None


def forced_difference(current: tuple[int, int], previous: tuple[int, int]) -> int | None:
    """The one difference from 1 to 4 (either way) that two published counts pin, if they do (the pair rule)."""
    low, high = current[0] - previous[1], current[1] - previous[0]
    if low == high and 1 <= abs(low) <= 4:
        return low
    return None


def pinned_parts(parts: Sequence[tuple[int, int]], whole: tuple[int, int]) -> list[int]:
    """Which parts (by position) the whole and the other parts pin to one number from 1 to 4 (the parts' rule)."""
    known = {f"part:{index}": bounds for index, bounds in enumerate(parts)}
    known["whole"] = whole
    found = narrow(known, [Line(tuple(f"part:{index}" for index in range(len(parts))), "whole")])
    return [
        index
        for index, bounds in enumerate(parts)
        if found[f"part:{index}"][0] == found[f"part:{index}"][1]
        and 1 <= found[f"part:{index}"][0] <= 4
        and bounds != found[f"part:{index}"]
    ]


# --- Changes ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """How a figure moved against the comparison period, in words; `shown` False when the rule withholds it."""

    text: str
    previous: str  # the figure as the comparison period publishes it
    direction: str  # "up", "down", "same", or "" when not shown
    shown: bool

    @property
    def short(self) -> str:
        """For a table's change column: "Up", "Down", "Same" or "Not compared"."""
        return {"up": "Up", "down": "Down", "same": "Same"}.get(self.direction, "Not compared")


def _suppressed(shown: Shown) -> bool:
    return shown.value is None


def change(current: Shown, previous: Shown, *, unit: str = "", when: str = "the previous period") -> Change:
    """The change from `previous` to `current`, worked out from what each publishes, or why it is not shown."""
    if _suppressed(current) or _suppressed(previous):
        return Change(
            f"Not compared: too few in one of the periods ({previous.text} in {when})", previous.text, "", False
        )
    # Counts (a cell with a count's key) by their published ranges; a median, mean or rate is not a count.
    now = published_bounds(current.text) if current.key is not None else None
    before = published_bounds(previous.text) if previous.key is not None else None
    if now is not None and before is not None:
        if forced_difference(now, before) is not None:
            return Change("Not compared: the difference would give away a small number", previous.text, "", False)
        if now == before:
            return Change(f"About the same as {when} ({previous.text})", previous.text, "same", True)
        direction = "up" if now[0] > before[0] else "down"
        return Change(f"{direction.capitalize()} from {previous.text} in {when}", previous.text, direction, True)
    assert current.value is not None and previous.value is not None  # noqa: S101 - checked above
    suffix = f" {unit}" if unit else ""
    if current.text == previous.text or abs(current.value - previous.value) < 1e-9:
        return Change(f"The same as {when} ({previous.text}{suffix})", previous.text, "same", True)
    direction = "up" if current.value > previous.value else "down"
    return Change(f"{direction.capitalize()} from {previous.text}{suffix} in {when}", previous.text, direction, True)


# --- Tables compared row by row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedRow:
    row: FigureRow
    change: Change | None


@dataclass
class FigureView:
    """A figure as the page shows it, with the comparison period's figure and the change beside one column."""

    figure: Figure
    rows: list[ComparedRow]
    column: str = ""  # the header of the column compared ("" when not compared)
    when: str = ""


@dataclass
class SectionView:
    section: Section
    figures: list[FigureView]


def figure_views(report: Report, previous: Report | None, *, when: str = "") -> list[SectionView]:
    """Each section with its figures, compared with the same figure of `previous` where the rows match."""
    earlier = {figure.key: figure for figure in previous.figures()} if previous is not None else {}
    sections = []
    for section in report.sections:
        views: list[FigureView] = []
        sections.append(SectionView(section, views))
        for figure in section.figures:
            other = earlier.get(figure.key)
            comparable = (
                other is not None
                and figure.key not in NOT_COMPARED
                and other.header == figure.header
                and [row.label for row in other.rows] == [row.label for row in figure.rows]
            )
            if not comparable or other is None:
                views.append(FigureView(figure, [ComparedRow(row, None) for row in figure.rows]))
                continue
            column = COMPARED_COLUMN.get(figure.key, 0)
            unit = "days" if "days" in figure.header[column + 1].lower() else ""
            rows = [
                ComparedRow(row, change(row.cells[column], before.cells[column], unit=unit, when=when))
                for row, before in zip(figure.rows, other.rows, strict=True)
            ]
            views.append(FigureView(figure, rows, figure.header[column + 1], when))
    return sections


# --- Services side by side -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideRow:
    label: str
    cells: list[str]  # each service's, in order
    whole: str  # all of them together
    withheld: bool = False  # the rule hid this row's services' counts


@dataclass
class SideBySide:
    services: list[str]
    rows: list[SideRow] = field(default_factory=list)
    too_many: bool = False


def side_by_side(
    whole: Report, parts: Sequence[tuple[Agency, Report]], figures: Sequence[tuple[str, str]]
) -> SideBySide:
    """The figures named (key in `Report.key`, label) for each service and for all of them, by the rule."""
    table = SideBySide(services=[agency.name for agency, _ in parts])
    for key, label in figures:
        cells = [report.key[key] for _, report in parts]
        total = whole.key[key]
        texts = [cell.text for cell in cells]
        bounds = [published_bounds(text) for text in texts]
        whole_bounds = published_bounds(total.text)
        withheld = False
        if whole_bounds is not None and all(bound is not None for bound in bounds):
            pinned = pinned_parts([bound for bound in bounds if bound is not None], whole_bounds)
            if pinned:
                texts, withheld = [HIDDEN_COUNT] * len(texts), True
        table.rows.append(SideRow(label, texts, total.text, withheld))
    return table
