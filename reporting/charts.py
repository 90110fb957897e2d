"""Hand-written SVG bar charts for the aggregate figures.

One horizontal bar per category, the value written at the end of each bar, so nothing relies on
colour or on reading a bar's length. A suppressed value ("<5", "[c]") gets no bar, only its words:
a bar's length would give the number away. The markup is self-contained (presentation attributes,
Arial, no classes, no script), so the same SVG renders in the browser and inside WeasyPrint PDFs,
like trm_stages/charts.py. It carries a title and a description that lists every value; the page
shows the same figures as a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 230
VALUE_ROOM = 70  # room after the longest bar for its words
TOP = 8
BAR = 18
GAP = 8
BOTTOM = 8
BLUE = "#1d70b8"
INK = "#0b0c0c"
GREY = "#505a5f"
AXIS = "#b1b4b6"
FONT = "Arial, Helvetica, sans-serif"
LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None when the figure is suppressed or not measured: no bar is drawn
    text: str  # the figure as shown: "12", "<5", "[c]", "83%"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def chart_description(bars: Sequence[Bar]) -> str:
    if not bars:
        return "Nothing to show."
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars) + "."


def bar_chart(*, chart_id: str, title: str, bars: Sequence[Bar], maximum: float | None = None) -> SafeString:
    """The SVG markup for `bars`, longest bar `maximum` (the largest value when None)."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    height = TOP + len(bars) * (BAR + GAP) + BOTTOM
    largest = maximum if maximum is not None else max((bar.value or 0 for bar in bars), default=0)
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" font-family="{FONT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(chart_description(bars))}</desc>',
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{height - BOTTOM + 4}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        top = TOP + index * (BAR + GAP)
        middle = top + BAR / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" font-size="12" text-anchor="end" fill="{INK}">'
            f"{escape(_short(bar.label))}</text>"
        )
        length = 0.0
        if bar.value is not None and largest > 0:
            length = round(max(bar.value, 0) / largest * room, 1)
        if length > 0:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{top}" width="{length}" height="{BAR}" fill="{BLUE}"/>')
        colour = INK if bar.value is not None else GREY
        words = escape(bar.text)
        parts.append(f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="12" fill="{colour}">{words}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text in it is escaped above


# --- Charts with their table (issue 18) ------------------------------------------------------------------
#
# Each builder below answers a `Chart`: its title, a description in words (every value, as shown), the SVG and
# the rows of the table it draws, so a page can put the table one click away and a PDF straight after it. The
# SVG is as wide as its container (viewBox units; text at least 14 units, so 14 px wherever the chart is 640 px
# wide) and self-contained like the bar chart above. A value that is not a number as shown ("<5", "[c]",
# "<5 cases", "No cases") is never drawn as a bar, a point or a line: only its words are.

VIEW_WIDTH = 640
TEXT = 14  # the smallest text, in viewBox units
LIGHT_BLUE = "#9fc5e8"
DARK_BLUE = "#003078"
RED = "#d4351c"
GREEN = "#00703c"
PALE_GREY = "#f3f2f1"
PALE_BLUE = "#e8f1f8"
PALE_RED = "#fbe9e6"
GRID = "#dcdcdc"


@dataclass(frozen=True)
class ChartRow:
    """One row of a chart's table: its label and each cell as shown."""

    label: str
    cells: list[str]
    is_total: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart and the table of what it draws.

    `svg` is the markup (SafeString); the object renders as it in a template (`{{ chart }}`), so it can stand
    wherever an SVG string did. `header` names the table's columns (the first is the rows' labels).
    """

    key: str
    title: str
    description: str
    svg: SafeString
    header: list[str]
    rows: list[ChartRow]
    notes: list[str] = field(default_factory=list)

    def __html__(self) -> str:
        return str(self.svg)

    def __str__(self) -> str:
        return str(self.svg)


@dataclass(frozen=True)
class Point:
    """A value to draw, or None (its `text` is written instead)."""

    value: float | None
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    points: list[Point]


def _open(chart_id: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {VIEW_WIDTH} {height:g}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text in it is escaped where it is added


def _text(
    x: float, y: float, words: str, *, size: int = TEXT, anchor: str = "start", fill: str = INK, bold: bool = False
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>'
        f"{escape(words)}</text>"
    )


def nice_top(largest: float) -> tuple[float, float]:
    """A round top for an axis at or above `largest`, and the step between its gridlines (about 4 of them)."""
    if largest <= 0:
        return 5.0, 5.0
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(size * magnitude for size in (1, 2, 2.5, 5, 10) if size * magnitude >= rough)
    return step * math.ceil(largest / step), step


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def describe_series(labels: Sequence[str], series: Sequence[Series], *, unit: str = "") -> str:
    """Every value in words, month by month: "Jan 2025: referrals 10–14, decisions <5; ..."."""
    if not labels:
        return "Nothing to show."
    suffix = f" {unit}" if unit else ""
    months = []
    for index, label in enumerate(labels):
        values = []
        for one in series:
            point = one.points[index]
            values.append(f"{one.name.lower()} {point.text}{suffix if point.value is not None else ''}")
        months.append(f"{label}: " + ", ".join(values))
    return "; ".join(months) + "."


def _axis_labels(labels: Sequence[str], slot: float) -> list[int]:
    """Which labels to write along the bottom so they do not crowd: every one, or every 2nd, 3rd, 4th, 6th."""
    longest = max((len(label) for label in labels), default=1)
    room = longest * TEXT * 0.6 + 8
    step = next((step for step in (1, 2, 3, 4, 6, 12) if slot * step >= room), 12)
    return [index for index in range(len(labels)) if index % step == 0]


PLOT_LEFT = 64
PLOT_RIGHT = 16
PLOT_TOP = 40  # room for the key
PLOT_HEIGHT = 220
AXIS_ROOM = 34


def _frame(parts: list[str], top_value: float, step: float, *, unit: str = "") -> None:
    """Gridlines and their values up the left, from 0 to `top_value`."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    value = 0.0
    while value <= top_value + 1e-9:
        y = bottom - value / top_value * PLOT_HEIGHT
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{VIEW_WIDTH - PLOT_RIGHT}" y2="{y:.1f}" '
            f'stroke="{GRID if value else INK}" stroke-width="1"/>'
        )
        parts.append(_text(PLOT_LEFT - 6, y + 5, _tick_text(value), anchor="end", fill=GREY))
        value += step
    if unit:
        parts.append(_text(4, PLOT_TOP - 12, unit, fill=GREY))


def _key(parts: list[str], entries: Sequence[tuple[str, str]], *, x: float = PLOT_LEFT) -> None:
    """A key along the top: (swatch markup for a 16 x 12 box at the origin, words)."""
    for swatch, words in entries:
        parts.append(f'<g transform="translate({x:g} 8)">{swatch}</g>')
        parts.append(_text(x + 22, 19, words))
        x += 22 + len(words) * TEXT * 0.55 + 24


def column_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
) -> SafeString:
    """Columns month by month, one per series side by side (the first dark, the second light with a dark edge,
    so the two tell apart without colour), on gridlines from 0. A suppressed value has no column: its words are
    written where the column would stand."""
    height = PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM
    parts = _open(chart_id, title, describe_series(labels, series), height)
    largest = max((point.value or 0 for one in series for point in one.points), default=0)
    top_value, step = nice_top(largest)
    _frame(parts, top_value, step, unit=unit)
    styles = [(DARK_BLUE, DARK_BLUE), (LIGHT_BLUE, DARK_BLUE)]
    _key(
        parts,
        [
            (f'<rect width="16" height="12" fill="{fill}" stroke="{edge}" stroke-width="1"/>', one.name)
            for one, (fill, edge) in zip(series, styles, strict=False)
        ],
        x=PLOT_LEFT + 150 if unit else PLOT_LEFT,
    )
    bottom = PLOT_TOP + PLOT_HEIGHT
    slot = (VIEW_WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(len(labels), 1)
    width = min(28.0, slot * 0.8 / max(len(series), 1))
    for index in range(len(labels)):
        left = PLOT_LEFT + index * slot + (slot - width * len(series)) / 2
        for number, one in enumerate(series):
            point = one.points[index]
            x = left + number * width
            fill, edge = styles[number % len(styles)]
            if point.value is None:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{bottom - 6}" font-size="{TEXT}" text-anchor="middle" '
                    f'fill="{GREY}" transform="rotate(-90 {x + width / 2:.1f} {bottom - 6})">'
                    f"{escape(point.text)}</text>"
                    if slot < 36
                    else _text(x + width / 2, bottom - 6, point.text, anchor="middle", fill=GREY)
                )
                continue
            tall = max(point.value, 0) / top_value * PLOT_HEIGHT
            parts.append(
                f'<rect x="{x:.1f}" y="{bottom - tall:.1f}" width="{width - 2:.1f}" height="{tall:.1f}" '
                f'fill="{fill}" stroke="{edge}" stroke-width="1"/>'
            )
    for index in _axis_labels(labels, slot):
        parts.append(_text(PLOT_LEFT + (index + 0.5) * slot, bottom + 22, labels[index], anchor="middle"))
    return _close(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    target: float | None = None,
    target_text: str = "",
    unit: str = "",
) -> SafeString:
    """Lines month by month (the first solid with round points, the second dashed with square points), and a
    target as a red dotted line with its words. A suppressed month has no point and breaks the line: its words
    are written along the bottom."""
    height = PLOT_TOP + PLOT_HEIGHT + AXIS_ROOM + 22
    parts = _open(
        chart_id,
        title,
        describe_series(labels, series, unit=unit) + (f" {target_text}." if target_text else ""),
        height,
    )
    largest = max([point.value or 0 for one in series for point in one.points] + [target or 0])
    top_value, step = nice_top(largest * 1.05)
    _frame(parts, top_value, step, unit=unit)
    bottom = PLOT_TOP + PLOT_HEIGHT
    slot = (VIEW_WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(len(labels), 1)
    marks = [
        lambda x, y: f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{DARK_BLUE}"/>',
        lambda x, y: (
            f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="#ffffff" '
            f'stroke="{DARK_BLUE}" stroke-width="2"/>'
        ),
    ]
    dashes = ["", ' stroke-dasharray="7 4"']
    key = [
        (
            f'<line x1="0" y1="6" x2="16" y2="6" stroke="{DARK_BLUE}" stroke-width="2"{dashes[number % 2]}/>'
            + marks[number % 2](8, 6),
            one.name,
        )
        for number, one in enumerate(series)
    ]
    if target is not None:
        key.append(
            (
                f'<line x1="0" y1="6" x2="16" y2="6" stroke="{RED}" stroke-width="3" stroke-dasharray="2 3"/>',
                target_text or "Target",
            )
        )
    _key(parts, key, x=PLOT_LEFT + 60)
    if target is not None:
        y = bottom - target / top_value * PLOT_HEIGHT
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{VIEW_WIDTH - PLOT_RIGHT}" y2="{y:.1f}" stroke="{RED}" '
            'stroke-width="3" stroke-dasharray="2 3"/>'
        )
    suppressed: set[int] = set()
    points_drawn: list[str] = []
    for number, one in enumerate(series):
        run: list[str] = []
        runs: list[list[str]] = []
        for index, point in enumerate(one.points):
            if point.value is None:
                suppressed.add(index)
                if run:
                    runs.append(run)
                run = []
                continue
            x = PLOT_LEFT + (index + 0.5) * slot
            y = bottom - max(point.value, 0) / top_value * PLOT_HEIGHT
            run.append(f"{x:.1f},{y:.1f}")
            points_drawn.append(marks[number % 2](x, y))
        if run:
            runs.append(run)
        for line in runs:
            if len(line) > 1:
                parts.append(
                    f'<polyline points="{" ".join(line)}" fill="none" stroke="{DARK_BLUE}" stroke-width="2"'
                    f"{dashes[number % 2]}/>"
                )
    parts.extend(points_drawn)  # over the lines
    for index in _axis_labels(labels, slot):
        parts.append(_text(PLOT_LEFT + (index + 0.5) * slot, bottom + 22, labels[index], anchor="middle"))
    for index in sorted(suppressed):
        words = next(one.points[index].text for one in series if one.points[index].value is None)
        x = PLOT_LEFT + (index + 0.5) * slot
        parts.append(
            f'<text x="{x:.1f}" y="{bottom - 8}" font-size="{TEXT}" text-anchor="start" fill="{GREY}" '
            f'transform="rotate(-90 {x:.1f} {bottom - 8})">{escape(words)}</text>'
        )
    return _close(parts)


@dataclass(frozen=True)
class BarGroup:
    """A category with one or two bars (say invited and attended) and words written after them (a rate)."""

    label: str
    points: list[Point]
    after: str = ""


def grouped_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    groups: Sequence[BarGroup],
    names: Sequence[str],
    maximum: float | None = None,
) -> SafeString:
    """Horizontal bars, one to three per category (the first dark, the next light with a dark edge), each bar's
    value written at its end; the category's own words (a rate) after the last. A suppressed value: no bar, its
    words only. The labels sit above their bars, so long names need no room at the side."""
    bar, gap, label_room = (20, 14, 22) if len(names) > 1 else (18, 8, 20)
    per_group = label_room + len(names) * (bar + 2) + gap
    top = 34 if len(names) > 1 else 8
    height = top + len(groups) * per_group
    parts = _open(chart_id, title, description, height)
    if len(names) > 1:
        styles = [(DARK_BLUE, DARK_BLUE), (LIGHT_BLUE, DARK_BLUE), ("#ffffff", DARK_BLUE)]
        _key(
            parts,
            [
                (f'<rect width="16" height="12" fill="{fill}" stroke="{edge}" stroke-width="1"/>', name)
                for name, (fill, edge) in zip(names, styles, strict=False)
            ],
            x=8,
        )
    else:
        styles = [(BLUE, BLUE)]
    largest = maximum if maximum is not None else max((p.value or 0 for g in groups for p in g.points), default=0)
    left, room = 8, VIEW_WIDTH - 8 - 150
    for index, group in enumerate(groups):
        y = top + index * per_group
        parts.append(_text(left, y + 16, group.label, bold=True))
        for number, point in enumerate(group.points):
            bar_y = y + label_room + number * (bar + 2)
            length = round(max(point.value or 0, 0) / largest * room, 1) if point.value is not None and largest else 0.0
            fill, edge = styles[number % len(styles)]
            if length > 0:
                parts.append(
                    f'<rect x="{left}" y="{bar_y}" width="{length:g}" height="{bar}" fill="{fill}" stroke="{edge}" '
                    'stroke-width="1"/>'
                )
            words = point.text if len(names) < 2 else f"{point.text} {names[number].lower()}"
            parts.append(_text(left + length + 6, bar_y + 15, words, fill=INK if point.value is not None else GREY))
        if group.after:
            parts.append(_text(VIEW_WIDTH - 8, y + 16, group.after, anchor="end", bold=True))
    return _close(parts)


FLOW_CELL = (78, 48)  # wide enough for "1,230–1,234" at TEXT


@dataclass(frozen=True)
class Cell:
    value: float | None
    text: str


def flow_matrix(
    *, chart_id: str, title: str, description: str, stages: Sequence[str], cells: Sequence[Sequence[Cell]]
) -> SafeString:
    """From first stage (rows) to latest stage (columns): each cell's count written in it. Cells above the
    diagonal (moved on) are pale blue, on it (same stage) grey, below it (moved back) pale red, with a key; the
    words say it as well, so nothing rests on colour. No cell's size or shade follows its count."""
    wide, tall = FLOW_CELL
    left, top = 150, 66
    height = top + len(stages) * tall + 16 + 3 * 24
    parts = _open(chart_id, title, description, height)
    parts.append(_text(left + len(stages) * wide / 2, 20, "Latest stage", anchor="middle", bold=True))
    parts.append(_text(8, top - 10, "First stage", bold=True))
    for column, name in enumerate(stages):
        parts.append(_text(left + column * wide + wide / 2, top - 10, name, anchor="middle"))
    for row, name in enumerate(stages):
        y = top + row * tall
        parts.append(_text(left - 10, y + tall / 2 + 5, name, anchor="end"))
        for column in range(len(stages)):
            cell = cells[row][column]
            fill = PALE_BLUE if column > row else PALE_RED if column < row else PALE_GREY
            x = left + column * wide
            parts.append(
                f'<rect x="{x}" y="{y}" width="{wide}" height="{tall}" fill="{fill}" '
                'stroke="#ffffff" stroke-width="2"/>'
            )
            colour = INK if cell.value is not None else GREY
            parts.append(_text(x + wide / 2, y + tall / 2 + 5, cell.text, anchor="middle", fill=colour))
    key_y = top + len(stages) * tall + 16
    for line, (fill, words) in enumerate(
        (
            (PALE_BLUE, "Above the diagonal: moved on"),
            (PALE_GREY, "On the diagonal: same stage"),
            (PALE_RED, "Below the diagonal: moved back"),
        )
    ):
        y = key_y + line * 24
        parts.append(f'<rect x="8" y="{y}" width="16" height="16" fill="{fill}" stroke="{GREY}" stroke-width="1"/>')
        parts.append(_text(30, y + 13, words))
    return _close(parts)


def funnel_chart(*, chart_id: str, title: str, description: str, steps: Sequence[BarGroup]) -> SafeString:
    """Each step a bar centred under the one before, as long as its count; the count and the share of the step
    before written beside it. A suppressed count has no bar."""
    bar, gap = 30, 34
    top = 8
    height = top + len(steps) * (bar + gap)
    parts = _open(chart_id, title, description, height)
    largest = max((step.points[0].value or 0 for step in steps), default=0)
    middle, room = VIEW_WIDTH / 2, VIEW_WIDTH - 16
    for index, step in enumerate(steps):
        y = top + index * (bar + gap)
        parts.append(_text(8, y + 15, step.label, bold=True))
        point = step.points[0]
        words = point.text + (f" ({step.after})" if step.after else "")
        if point.value is not None and largest:
            length = max(point.value, 0) / largest * room
            parts.append(
                f'<rect x="{middle - length / 2:.1f}" y="{y + 22}" width="{length:.1f}" height="{bar - 8}" '
                f'fill="{BLUE}"/>'
            )
            parts.append(_text(VIEW_WIDTH - 8, y + 15, words, anchor="end"))
        else:
            parts.append(_text(VIEW_WIDTH - 8, y + 15, words, anchor="end", fill=GREY))
    return _close(parts)


def hbar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[Bar], maximum: float | None = None
) -> SafeString:
    """Horizontal bars with the label above each and the value after it (as wide as the container)."""
    groups = [BarGroup(bar.label, [Point(bar.value, bar.text)]) for bar in bars]
    return grouped_bars(
        chart_id=chart_id, title=title, description=description, groups=groups, names=[""], maximum=maximum
    )


# --- Sparklines ----------------------------------------------------------------------------------------------

SPARK_WIDTH, SPARK_HEIGHT = 160, 40


def sparkline(
    *, chart_id: str, title: str, labels: Sequence[str], points: Sequence[Point], unit: str = ""
) -> SafeString:
    """A small line of a figure month by month (no axis), the last point marked. A suppressed month breaks the
    line and has no point. Its title and description give every month's value as shown."""
    description = describe_series(labels, [Series(title, list(points))], unit=unit)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}, month by month</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="2" y1="{SPARK_HEIGHT - 2}" x2="{SPARK_WIDTH - 2}" y2="{SPARK_HEIGHT - 2}" '
        f'stroke="{AXIS}" stroke-width="1"/>',
    ]
    values = [point.value for point in points if point.value is not None]
    if values:
        low, high = min(min(values), 0.0), max(values)
        span = (high - low) or 1.0
        step = (SPARK_WIDTH - 8) / max(len(points) - 1, 1)
        runs: list[list[tuple[float, float]]] = [[]]
        for index, point in enumerate(points):
            if point.value is None:
                runs.append([])  # a gap: the line breaks
                continue
            x = 4 + index * step
            y = SPARK_HEIGHT - 4 - (point.value - low) / span * (SPARK_HEIGHT - 10)
            runs[-1].append((x, y))
        for run in runs:
            if len(run) > 1:
                line = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
            elif run:
                parts.append(f'<circle cx="{run[0][0]:.1f}" cy="{run[0][1]:.1f}" r="2" fill="{BLUE}"/>')
        last = next(run[-1] for run in reversed(runs) if run)
        parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="3.5" fill="{DARK_BLUE}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text in it is escaped above
