"""The goal chart: a small hand-written SVG of each goal's ratings (0 to 10) over time.

One line with points per goal. Goals are told apart by colour, by marker shape, by line pattern and
by the goal's number written beside its latest point, so the chart never relies on colour alone.
The markup is self-contained (presentation attributes only: no classes, no CSS, no script, Arial),
so the same SVG renders in the browser and inside WeasyPrint PDFs. It carries a title and a
description; pages add a table of every rating beside it (templates/trm_stages/includes/goal_chart.html).

Every piece of text from the record reaches the markup through the template, which escapes it;
the only markup built here is shapes from numbers and fixed colours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from trm_stages.charts import month_ticks

# Sizes are in viewBox units; the SVG is as wide as its container, so text is at least 14 px wherever
# the chart is 640 px wide or more (the stage chart's rule: trm_stages/charts.py).
WIDTH = 720
LEFT = 48  # room for the score labels
RIGHT = WIDTH - 40  # room for the goal numbers beside the last points
TOP = 34  # room for the axis title
UNIT = 22  # units per score point
PLOT_BOTTOM = TOP + 10 * UNIT
INSET = 28  # keeps the first and last dates off the axes
LEGEND_ROW = 26
LEGEND_TEXT_CHARS = 64
FONT_SIZE = 16
INK = "#0b0c0c"
GREY = "#505a5f"
GRID = "#b1b4b6"
FONT = "Arial, Helvetica, sans-serif"
# Ratings given on the same day (of one goal or of several) are spread this far apart around the
# day's position, in goal order, so no marker hides another.
SAME_DAY_STEP = 7

# Colours with at least 3:1 contrast on white (GOV.UK palette), each with its own marker and line.
STYLES = [
    ("#1d70b8", "circle", ""),
    ("#d53880", "square", "8 4"),
    ("#00703c", "triangle", "2 3"),
    ("#4c2c92", "diamond", "10 3 2 3"),
    ("#505a5f", "triangle-down", "4 4"),
    ("#0b0c0c", "cross", "12 4"),
]


@dataclass(frozen=True)
class Rating:
    rated_on: dt.date
    score: int
    context: str = ""  # "Start", "Review", "Other time"


@dataclass(frozen=True)
class ChartGoal:
    """What the chart needs of one goal: its number on the case, its words and its ratings in date order."""

    number: int
    text: str
    ratings: Sequence[Rating]


@dataclass(frozen=True)
class PlottedPoint:
    x: float
    y: float
    marker: SafeString
    label: str  # for the point's <title>, escaped by the template


@dataclass(frozen=True)
class PlottedGoal:
    number: int
    text: str
    short_text: str
    colour: str
    dash: str
    points: list[PlottedPoint]
    polyline: str
    label_x: float
    label_y: float
    legend_y: float
    legend_marker: SafeString
    summary: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class GoalChart:
    """The chart of some goals: `svg` is empty when none of them has a rating yet."""

    chart_id: str
    title: str
    description: str
    goals: list[ChartGoal]
    svg: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308 - empty

    @property
    def rating_count(self) -> int:
        return sum(len(goal.ratings) for goal in self.goals)

    @property
    def rated_goals(self) -> list[ChartGoal]:
        return [goal for goal in self.goals if goal.ratings]


def day_label(value: dt.date) -> str:
    """A date as people write it: 3 March 2026."""
    return f"{value.day} {value:%B %Y}"


def _short_day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _out_of_ten(score: int) -> str:
    return f"{score} out of 10"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(goals: Sequence[ChartGoal]) -> str:
    """The chart in words: for each goal, where its ratings started and where they are now."""
    rated = [goal for goal in goals if goal.ratings]
    if not rated:
        return "No goal has been rated yet."
    sentences = []
    for goal in rated:
        first, last = goal.ratings[0], goal.ratings[-1]
        words = f"Goal {goal.number}, “{_shorten(goal.text, 120)}”"
        if len(goal.ratings) == 1:
            sentences.append(f"{words}: rated {_out_of_ten(first.score)} on {day_label(first.rated_on)}.")
        else:
            sentences.append(
                f"{words}: {len(goal.ratings)} ratings, from {_out_of_ten(first.score)} on "
                f"{day_label(first.rated_on)} to {_out_of_ten(last.score)} on {day_label(last.rated_on)}."
            )
    return " ".join(sentences)


def _marker(shape: str, x: float, y: float, colour: str, size: float = 6.0) -> SafeString:
    """One marker centred on (x, y). Only numbers and fixed colours go in, so the markup is safe."""
    s = size
    white = 'stroke="#ffffff" stroke-width="1.5"'
    if shape == "circle":
        markup = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" fill="{colour}" {white}/>'
    elif shape == "square":
        markup = (
            f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{colour}" {white}/>'
        )
    elif shape == "triangle":
        points = f"{x:.1f},{y - s - 1:.1f} {x + s + 1:.1f},{y + s:.1f} {x - s - 1:.1f},{y + s:.1f}"
        markup = f'<polygon points="{points}" fill="{colour}" {white}/>'
    elif shape == "triangle-down":
        points = f"{x:.1f},{y + s + 1:.1f} {x + s + 1:.1f},{y - s:.1f} {x - s - 1:.1f},{y - s:.1f}"
        markup = f'<polygon points="{points}" fill="{colour}" {white}/>'
    elif shape == "diamond":
        d = s + 1.5
        points = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        markup = f'<polygon points="{points}" fill="{colour}" {white}/>'
    else:  # a cross: two thick strokes
        markup = (
            f'<path d="M{x - s:.1f},{y - s:.1f} L{x + s:.1f},{y + s:.1f} M{x - s:.1f},{y + s:.1f} '
            f'L{x + s:.1f},{y - s:.1f}" stroke="{colour}" stroke-width="3" fill="none"/>'
        )
    return mark_safe(markup)  # noqa: S308 - numbers and a colour from STYLES only


def _x_scale(goals: Sequence[ChartGoal]) -> tuple[dt.date, dt.date, float, float]:
    days = [rating.rated_on for goal in goals for rating in goal.ratings]
    return min(days), max(days), LEFT + INSET, RIGHT - INSET


def _ticks(start: dt.date, end: dt.date, x_of: Callable[[dt.date], float]) -> list[Tick]:
    """Months along the bottom (charts.month_ticks); ratings within one month show that day."""
    if (end - start).days < 28 and start.month == end.month:
        return [Tick(x=x_of(start), label=_short_day(start), anchor="middle")]
    ticks = []
    for tick in month_ticks(start, end, room=RIGHT - LEFT - 2 * INSET):
        x = x_of(tick.on)
        half = len(tick.label) * FONT_SIZE * 0.3
        anchor = "end" if x + half > WIDTH - 2 else "start" if x - half < LEFT else "middle"
        ticks.append(Tick(x=x, label=tick.label, anchor=anchor))
    return ticks


def _same_day_offsets(goals: Sequence[ChartGoal]) -> dict[dt.date, Iterator[float]]:
    """For each day, the horizontal nudges of its ratings in goal order: none for a day's only rating."""
    per_day = Counter(rating.rated_on for goal in goals for rating in goal.ratings)
    return {
        day: iter([(slot - (count - 1) / 2) * SAME_DAY_STEP for slot in range(count)]) for day, count in per_day.items()
    }


def build_goal_chart(
    goals: Sequence[ChartGoal], *, chart_id: str = "goal-chart", title: str = "Goal ratings over time"
) -> GoalChart:
    """Lay the goals out and render the SVG; with no rating at all there is no SVG (say so in words instead)."""
    goals = list(goals)
    description = describe(goals)
    rated = [goal for goal in goals if goal.ratings]
    if not rated:
        return GoalChart(chart_id=chart_id, title=title, description=description, goals=goals)
    start, end, left, right = _x_scale(rated)
    span = (end - start).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return round((left + right) / 2, 1)
        return round(left + (day - start).days / span * (right - left), 1)

    def y_of(score: int) -> float:
        return float(PLOT_BOTTOM - score * UNIT)

    offsets = _same_day_offsets(rated)
    legend_top = PLOT_BOTTOM + 58
    plotted = []
    for index, goal in enumerate(rated):
        colour, shape, dash = STYLES[index % len(STYLES)]
        points = []
        for rating in goal.ratings:
            x = round(x_of(rating.rated_on) + next(offsets[rating.rated_on]), 1)
            y = y_of(rating.score)
            when = f" ({rating.context.lower()})" if rating.context else ""
            label = f"Goal {goal.number}, {day_label(rating.rated_on)}: {_out_of_ten(rating.score)}{when}"
            points.append(PlottedPoint(x=x, y=y, marker=_marker(shape, x, y, colour), label=label))
        last = points[-1]
        legend_y = legend_top + index * LEGEND_ROW
        plotted.append(
            PlottedGoal(
                number=goal.number,
                text=goal.text,
                short_text=_shorten(goal.text, LEGEND_TEXT_CHARS),
                colour=colour,
                dash=dash,
                points=points,
                polyline=" ".join(f"{point.x:.1f},{point.y:.1f}" for point in points),
                label_x=round(min(last.x + 11, WIDTH - 18), 1),
                label_y=round(last.y + 5, 1),
                legend_y=legend_y,
                legend_marker=_marker(shape, LEFT + 8, legend_y - 4, colour, size=5),
                summary=f"Goal {goal.number}",
            )
        )
    height = legend_top + len(rated) * LEGEND_ROW
    context = {
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": height,
        "font": FONT,
        "ink": INK,
        "grey": GREY,
        "grid": GRID,
        "left": LEFT,
        "right": RIGHT,
        "top": TOP,
        "plot_bottom": PLOT_BOTTOM,
        "y_ticks": [{"score": score, "y": y_of(score)} for score in range(0, 11, 2)],
        "x_ticks": _ticks(start, end, x_of),
        "x_label_y": PLOT_BOTTOM + 22,
        "font_size": FONT_SIZE,
        "goals": plotted,
        "legend_text_x": LEFT + 20,
    }
    svg = render_to_string("trm_stages/includes/goal_chart.svg.html", context)
    return GoalChart(
        chart_id=chart_id,
        title=title,
        description=description,
        goals=goals,
        svg=mark_safe(svg.strip()),  # noqa: S308 - rendered by the template, which escapes every text
    )
