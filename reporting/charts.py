"""Hand-written SVG bar charts for the aggregate figures.

One horizontal bar per category, the value written at the end of each bar, so nothing relies on
colour or on reading a bar's length. A suppressed value ("<5", "[c]") gets no bar, only its words:
a bar's length would give the number away. The markup is self-contained (presentation attributes,
Arial, no classes, no script), so the same SVG renders in the browser and inside WeasyPrint PDFs,
like trm_stages/charts.py. It carries a title and a description that lists every value; the page
shows the same figures as a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
