"""The stage chart: a small hand-written SVG timeline of a child's TRM stage.

Stages are horizontal bands (1 at the bottom), the three thresholds are dashed lines between the
bands, each assessment is a point, and the line steps from one assessment to the next. A move back
is drawn in red with a downward triangle, so it shows without relying on colour alone.

The markup is self-contained (presentation attributes, no classes, no script, no web fonts), so the
same SVG renders in the browser and inside WeasyPrint PDFs. It carries a title and a description
for screen readers; pages put the same facts in a table beside it (stage_journey's rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LEFT = 200  # room for the stage names
RIGHT = 16
TOP = 12
BAND = 30
BOTTOM = 40
HEIGHT = TOP + 6 * BAND + BOTTOM
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
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
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
            f'<text x="{LEFT - 8}" y="{top + BAND / 2 + 4}" font-size="11" text-anchor="end" fill="{INK}">{name}</text>'
        )
    for below, label in THRESHOLD_LABELS.items():
        y = TOP + (6 - below) * BAND
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}" stroke="{GREY}" stroke-width="1" '
            'stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{right - 4}" y="{y - 3}" font-size="10" text-anchor="end" fill="{GREY}">{escape(label)}</text>'
        )
    bottom = TOP + 6 * BAND
    parts.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" stroke-width="1"/>')
    if points:
        parts.extend(_timeline(points, end=end, left=LEFT, right=right, bottom=bottom))
    else:
        parts.append(
            f'<text x="{(LEFT + right) / 2}" y="{TOP + 3 * BAND + 4}" font-size="14" text-anchor="middle" '
            f'fill="{GREY}">No stage recorded yet</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text in it is escaped above


def _timeline(points: Sequence[ChartPoint], *, end: dt.date, left: int, right: int, bottom: int) -> list[str]:
    start = points[0].on
    end = max(end, points[-1].on)
    span = max((end - start).days, 1)
    inner_left, inner_right = left + 12, right - 12

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
                f'<polygon points="{x - 7},{y - 6} {x + 7},{y - 6} {x},{y + 7}" fill="{RED}" stroke="#ffffff" '
                f'stroke-width="1"/>'
            )
        else:
            parts.append(f'<circle cx="{x}" cy="{y}" r="5.5" fill="{BLUE}" stroke="#ffffff" stroke-width="1.5"/>')
    # Dates along the bottom: the first assessment and the end, and the middle when there is room.
    labels = [(start, "start"), (end, "end")]
    if span >= 60:
        labels.insert(1, (start + dt.timedelta(days=span // 2), "middle"))
    for day, where in labels:
        anchor = {"start": "start", "middle": "middle", "end": "end"}[where]
        x = x_of(day) - 12 if where == "start" else x_of(day) + 12 if where == "end" else x_of(day)
        parts.append(
            f'<text x="{x}" y="{bottom + 16}" font-size="11" text-anchor="{anchor}" fill="{INK}">'
            f"{day.day} {day:%b %Y}</text>"
        )
    # A key, so a move back reads without colour.
    key_y = bottom + 32
    parts.append(f'<circle cx="{left + 6}" cy="{key_y - 4}" r="5" fill="{BLUE}"/>')
    parts.append(f'<text x="{left + 16}" y="{key_y}" font-size="11" fill="{INK}">Assessment</text>')
    key_x = left + 110
    triangle = f"{key_x - 6},{key_y - 9} {key_x + 6},{key_y - 9} {key_x},{key_y + 2}"
    parts.append(f'<polygon points="{triangle}" fill="{RED}"/>')
    parts.append(f'<text x="{key_x + 12}" y="{key_y}" font-size="11" fill="{INK}">Moved back</text>')
    return parts
