"""The stage chart: a small hand-written SVG timeline of a child's TRM stage.

Stages are horizontal bands (1 at the bottom), the three thresholds are dashed lines between the
bands, each assessment is a point, and the line steps from one assessment to the next. A move back
is drawn in red with a downward triangle, so it shows without relying on colour alone.

The markup is self-contained (presentation attributes, no classes, no script, no web fonts), so the
same SVG renders in the browser and inside WeasyPrint PDFs. It carries a title and a description
for screen readers; pages put the same facts in a table beside it (stage_journey's rows).

Sizes are in viewBox units and the SVG is as wide as its container (width 100%, height from the
viewBox), so text is at least 14 px wherever the chart is 640 px wide or more (a two-thirds column
at desktop width): MIN_FONT / WIDTH * 640 >= 14. Dates along the bottom are months ("Jan", with the
year at the first label and at each January), thinned when there are many, and the plot keeps
PAD units clear at both ends so no point touches an edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 800
LEFT = 330  # room for the stage names ("2 Trust and relationship building")
RIGHT = 16
TOP = 12
BAND = 46  # tall enough for a threshold's name between the line above it and the stage's line
BOTTOM = 68
HEIGHT = TOP + 6 * BAND + BOTTOM
PAD = 28  # between the plot's edges and the first and last points
FONT_SIZE = 18  # stage names, dates, the key
SMALL_FONT_SIZE = 18  # the threshold names (the smallest text: MIN_FONT)
MIN_FONT = min(FONT_SIZE, SMALL_FONT_SIZE)
NORMAL_RENDERED_WIDTH = 640  # px: the narrowest column the chart sits in at desktop width
MONTH_LABEL_ROOM = 72  # units from one month label to the next ("Feb" beside "Jan 2026" at FONT_SIZE)
BLUE = "#1d70b8"
RED = "#d4351c"
INK = "#0b0c0c"
GREY = "#505a5f"
FONT = "Arial, Helvetica, sans-serif"
# Short names of the thresholds for the chart's labels, by the stage they lead out of.
THRESHOLD_LABELS = {1: "Relationships with adults", 2: "Disclosure", 3: "Cognitive readiness"}


@dataclass(frozen=True)
class ChartPoint:
    on: dt.date
    stage: int
    moved_back: bool


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class MonthTick:
    on: dt.date  # the first of the month
    label: str  # "Feb", or "Feb 2026" at the first label and at each January


def month_ticks(start: dt.date, end: dt.date, *, room: float, label_room: float = MONTH_LABEL_ROOM) -> list[MonthTick]:
    """The first of each month from `start` to `end` (drawn `room` units apart), thinned to every 2, 3, 4,
    6 or 12 months so labels are `label_room` apart (keeping January). With no month start in between,
    the month of `start` itself."""
    months = []
    month = dt.date(start.year, start.month, 1)
    if month < start:
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    while month <= end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if not months:
        return [MonthTick(on=start, label=f"{start:%b %Y}")]
    month_width = room * 30.44 / max((end - start).days, 1)  # units between two month starts
    step = next((step for step in (1, 2, 3, 4, 6) if month_width * step >= label_room), 12)
    if step > 1:
        months = [month for month in months if (month.month - 1) % step == 0] or months[:1]
    # The first label says the year, unless a January with its year comes straight after it, too close.
    crowded = len(months) > 1 and months[1].month == 1 and month_width * step < 1.4 * label_room
    ticks = []
    for index, month in enumerate(months):
        with_year = (index == 0 and not crowded) or month.month == 1
        ticks.append(MonthTick(on=month, label=f"{month:%b %Y}" if with_year else f"{month:%b}"))
    return ticks


def _stage_y(stage: int) -> float:
    """The middle of a stage's band."""
    return TOP + (6 - stage) * BAND + BAND / 2


def chart_description(points: Sequence[ChartPoint], stage_names: dict[int, str]) -> str:
    """The chart in words: where the child is now and every step on the way."""
    if not points:
        return "No TRM stage has been recorded yet."
    steps = []
    for point in points:
        verb = "moved back to" if point.moved_back else "at"
        steps.append(f"{verb} stage {point.stage} on {_day(point.on)}")
    last = points[-1]
    return (
        f"Now at stage {last.stage} ({stage_names.get(last.stage, '')}) since {_day(last.on)}. "
        f"{len(points)} assessment{'s' if len(points) != 1 else ''}: " + "; ".join(steps) + "."
    )


def stage_chart(
    points: Sequence[ChartPoint],
    *,
    stage_names: dict[int, str],
    end: dt.date,
    chart_id: str = "stage-chart",
) -> SafeString:
    """The SVG markup. `points` are in date order; `end` is the right edge (today, or the closing date)."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="{FONT}">',
        f'<title id="{title_id}">TRM stage over time</title>',
        f'<desc id="{desc_id}">{escape(chart_description(points, stage_names))}</desc>',
    ]
    right = WIDTH - RIGHT
    for stage in range(1, 7):
        top = TOP + (6 - stage) * BAND
        fill = "#f3f2f1" if stage % 2 else "#ffffff"
        parts.append(f'<rect x="{LEFT}" y="{top}" width="{right - LEFT}" height="{BAND}" fill="{fill}"/>')
        name = escape(f"{stage} {stage_names.get(stage, '')}".strip())
        parts.append(
            f'<text x="{LEFT - 10}" y="{top + BAND / 2 + 6}" font-size="{FONT_SIZE}" text-anchor="end" '
            f'fill="{INK}">{name}</text>'
        )
    for below, label in THRESHOLD_LABELS.items():
        y = TOP + (6 - below) * BAND
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="{GREY}" stroke-width="1" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{right - 4}" y="{y - 4}" font-size="{SMALL_FONT_SIZE}" text-anchor="end" '
            f'fill="{GREY}">{escape(label)}</text>'
        )
    bottom = TOP + 6 * BAND
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" stroke-width="1"/>')
    if points:
        parts.extend(_timeline(points, end=end, left=LEFT, right=right, bottom=bottom))
    else:
        parts.append(
            f'<text x="{(LEFT + right) / 2}" y="{TOP + 3 * BAND + 6}" font-size="{FONT_SIZE}" text-anchor="middle" '
            f'fill="{GREY}">No stage recorded yet</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text in it is escaped above


def _timeline(points: Sequence[ChartPoint], *, end: dt.date, left: int, right: int, bottom: int) -> list[str]:
    start = points[0].on
    end = max(end, points[-1].on)
    span = max((end - start).days, 1)
    inner_left, inner_right = left + PAD, right - PAD

    def x_of(day: dt.date) -> float:
        return round(inner_left + (day - start).days / span * (inner_right - inner_left), 1)

    parts = []
    # The line: level while the stage holds, then a step to the next assessment's stage.
    for point, following in zip(points, [*points[1:], None], strict=True):
        x1, y1 = x_of(point.on), _stage_y(point.stage)
        x2 = x_of(following.on) if following else x_of(end)
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y1}" stroke="{BLUE}" stroke-width="3"/>')
        if following and following.stage != point.stage:
            y2 = _stage_y(following.stage)
            colour, dash = (RED, ' stroke-dasharray="4 3"') if following.moved_back else (BLUE, "")
            parts.append(f'<line x1="{x2}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="3"{dash}/>')
    for point in points:
        x, y = x_of(point.on), _stage_y(point.stage)
        if point.moved_back:
            parts.append(
                f'<polygon points="{x - 8},{y - 7} {x + 8},{y - 7} {x},{y + 8}" fill="{RED}" stroke="#ffffff" '
                f'stroke-width="1"/>'
            )
        else:
            parts.append(f'<circle cx="{x}" cy="{y}" r="6.5" fill="{BLUE}" stroke="#ffffff" stroke-width="1.5"/>')
    # Months along the bottom: a tick at the first of each (thinned when many), the year when it changes.
    label_y = bottom + 24
    for tick in month_ticks(start, end, room=inner_right - inner_left):
        x = x_of(tick.on)
        half = len(tick.label) * FONT_SIZE * 0.3  # about half the label's width
        anchor, text_x = "middle", x
        if x + half > WIDTH - 2:
            anchor, text_x = "end", WIDTH - 2
        elif x - half < left:
            anchor, text_x = "start", left
        parts.append(f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 5}" stroke="{INK}" stroke-width="1"/>')
        parts.append(
            f'<text x="{text_x}" y="{label_y}" font-size="{FONT_SIZE}" text-anchor="{anchor}" fill="{INK}" '
            f'data-month="{tick.on:%Y-%m}">{tick.label}</text>'
        )
    # A key, so a move back reads without colour.
    key_y = bottom + 56
    parts.append(f'<circle cx="{left + 7}" cy="{key_y - 6}" r="6" fill="{BLUE}"/>')
    parts.append(f'<text x="{left + 20}" y="{key_y}" font-size="{FONT_SIZE}" fill="{INK}">Assessment</text>')
    key_x = left + 160
    triangle = f"{key_x - 7},{key_y - 12} {key_x + 7},{key_y - 12} {key_x},{key_y + 1}"
    parts.append(f'<polygon points="{triangle}" fill="{RED}"/>')
    parts.append(f'<text x="{key_x + 14}" y="{key_y}" font-size="{FONT_SIZE}" fill="{INK}">Moved back</text>')
    return parts
