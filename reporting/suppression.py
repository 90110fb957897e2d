"""Small-number protection for every aggregate figure: no count can point at an identifiable child, whatever
set of services and period is chosen, and whatever other choices it is compared with (issue 15).

**Every count is published as the range of five it falls in** (`band`): 0 to 4 as "<5", 5 to 9 as "5–9",
23 as "20–24", 1,232 as "1,230–1,234". Whether a count is 0 or 1 to 4 is not shown either. The same count
always shows the same way, on every page, choice, CSV and PDF, and the exact count is never published, so
exact differences do not exist: the issue's 9 for all services and 8 for Bristol both show as "5–9", and
BANES's 1 cannot be worked out from them.

Why these ranges, rather than rounding to the nearest 5 or showing 0 as it is: whenever counts add up (all
services = these services + the others; a period = its first days + the rest), a reader can pin a part to
one value only when every part sits at an end of its range and their sum meets the opposite end of the
total's range. Every range here starts at a multiple of 5 and ends 4 above one. Parts at their lowest add
up to a multiple of 5, never the top of a range; parts at their highest add up to a bottom of a range only
when there are 5, 10, ... parts, each exactly 4, 9, 14 ... So **a total and up to four parts, wherever each
is read (any choices of services and periods), never pin a count** (tests/reporting/test_suppression.py
checks every case up to 60). Rounding to the nearest 5 fails with two parts: 4 ("<5") + 4 ("<5") = 8 (shown
"10", so 8 to 12) pins both to 4; showing 0 as it is fails with four: four "<5" adding up to "<5" are four 1s.

**Within one view, lines with more parts are checked** (`protect`): a table's counts add up along lines (a
row of cells and its total, a column and its total, a step of a funnel and the step before). From the ranges
shown, what each count can be is narrowed along every line until nothing changes (each member is at least
the total's least minus the others' most, and so on). When that leaves a count with exactly one possible
value (five "<5" adding up to "20–24" are five 4s), one more count on that line, the smallest, is hidden as
"[c]" (it could be anything), and the check runs again.

Rates, medians and means are shown only when they come from at least 5 cases ("<5 cases" otherwise), and
hidden ("[c]") when a count they are made from is hidden. A share of two published counts (attendance rate,
a funnel step's share) is worked out from their ranges, never from the exact counts, and shown as the range
it can be ("40–90%"), so it tells nothing the counts do not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SUPPRESSION_THRESHOLD = 5
ROUNDING_BASE = 5
SMALL_COUNT = f"<{SUPPRESSION_THRESHOLD}"
HIDDEN_COUNT = "[c]"
FEW_CASES = f"<{SUPPRESSION_THRESHOLD} cases"
NO_CASES = "No cases"
RANGE_DASH = "–"  # an en dash: "10–14" (a spreadsheet never reads it as a date or a sum)
# The marks the page and the PDF explain (templates/reporting/includes/marks.html).
MARKS = {
    "range": f"10{RANGE_DASH}14",
    "small": SMALL_COUNT,
    "hidden": HIDDEN_COUNT,
    "share": f"40{RANGE_DASH}90%",
    "few": FEW_CASES,
    "none": NO_CASES,
    "dash": RANGE_DASH,
}
# What a hidden or never-shown count can be, as far as anyone reading the report knows.
UNKNOWN = 10**15
# Narrowing along lines stops after this many passes even if it could go on (it is a check: stopping early
# only means a count is judged on what was worked out so far). Real reports settle in a few passes.
MOST_PASSES = 100


def band(count: int) -> tuple[int, int]:
    """The range a count is published as: the five from the multiple of 5 at or below it ((0, 4), (5, 9), ...)."""
    count = max(count, 0)
    low = count - count % ROUNDING_BASE
    return (low, low + ROUNDING_BASE - 1)


def count_text(count: int, *, separators: bool = True) -> str:
    """A count as published: "<5" (0 to 4) or "10–14" ("1,230–1,234"; without separators "1230–1234", for CSV)."""
    if is_small(count):
        return SMALL_COUNT
    low, high = band(count)
    return f"{low:,}{RANGE_DASH}{high:,}" if separators else f"{low}{RANGE_DASH}{high}"


def suppress_small(count: int) -> str:
    """A count shown on its own (the home page's open cases): exactly as every report publishes it."""
    return count_text(count)


def is_small(count: int) -> bool:
    """0 to 4: shown as "<5"."""
    return count < SUPPRESSION_THRESHOLD


class Hidden(StrEnum):
    COMPLEMENT = "complement"  # hidden so that a line cannot pin a count to one value


@dataclass(frozen=True)
class Line:
    """Counts that add up: `members` sum to `total` (all keys of the values given to `protect`)."""

    members: tuple[str, ...]
    total: str


@dataclass
class Protection:
    """What `protect` decided: which counts are hidden ("[c]"); every other count shows its range."""

    hidden: dict[str, Hidden] = field(default_factory=dict)

    def is_hidden(self, key: str) -> bool:
        return key in self.hidden

    def text(self, key: str, value: int, *, separators: bool = True) -> str:
        """The count as shown: "[c]", or its range ("<5", "10–14")."""
        if key in self.hidden:
            return HIDDEN_COUNT
        return count_text(value, separators=separators)

    def bounds(self, key: str, value: int) -> tuple[int, int]:
        """What a reader can tell the count is from its own cell: its range, or anything when hidden."""
        return (0, UNKNOWN) if key in self.hidden else band(value)


def narrow(known: dict[str, tuple[int, int]], lines: Iterable[Line]) -> dict[str, tuple[int, int]]:
    """What each count can be, given what is known of each and that every line adds up (bounds, to a fixed point).

    Each member of a line is at least the total's least less the other members' most, and at most the total's
    most less the other members' least; the total is between the members' sums. Keys missing from `known`
    could be anything from 0.
    """
    lines = list(lines)
    found = dict(known)
    for line in lines:
        for key in (*line.members, line.total):
            found.setdefault(key, (0, UNKNOWN))
    for _ in range(MOST_PASSES):
        changed = False
        for line in lines:
            members = [found[key] for key in line.members]
            least = sum(low for low, _ in members)
            most = sum(high for _, high in members)
            total_low, total_high = found[line.total]
            total = (max(total_low, least), min(total_high, most))
            if total != found[line.total]:
                found[line.total], changed = total, True
            for key, (low, high) in zip(line.members, members, strict=True):
                member = (max(low, total[0] - (most - high)), min(high, total[1] - (least - low)))
                if member != (low, high):
                    found[key], changed = member, True
        if not changed:
            break
    return found


def protect(values: Mapping[str, int], lines: Iterable[Line], *, displayed: Iterable[str] | None = None) -> Protection:
    """Decide which counts to hide so that no line of the report pins a count to one value.

    `displayed` names the counts shown somewhere (all of `values` when None). A count never shown but
    implied by a line (a funnel step's drop-out, say) could be anything to a reader; it is protected like
    any other: a line must not pin it either.
    """
    # A line with no members (a column of a table with no services) only says its total is 0, by its shape.
    lines = [line for line in lines if line.members]
    shown = set(values) if displayed is None else set(displayed)
    protection = Protection()
    while True:
        known = {key: protection.bounds(key, values[key]) for key in shown}
        found = narrow(known, lines)
        pinned = {key for key, (low, high) in found.items() if low == high}
        if not pinned:
            return protection
        picks = set()
        for line in lines:
            keys = (*line.members, line.total)
            if pinned.isdisjoint(keys):
                continue
            pick = _next_to_hide(line, values, protection, shown)
            if pick is not None:
                picks.add(pick)
        if not picks:  # nothing left to hide on the lines concerned (cannot happen with counts that add up)
            return protection
        for pick in picks:
            protection.hidden[pick] = Hidden.COMPLEMENT


def _next_to_hide(line: Line, values: Mapping[str, int], protection: Protection, shown: set[str]) -> str | None:
    """The smallest count shown on the line (ties: the first key), or its total when no member is left."""
    candidates = [key for key in line.members if key in shown and not protection.is_hidden(key)]
    if candidates:
        return min(candidates, key=lambda key: (values[key], key))
    if line.total in shown and not protection.is_hidden(line.total):
        return line.total
    return None


def share_text(numerator: tuple[int, int], denominator: tuple[int, int]) -> tuple[str, float]:
    """A share of two counts known only as ranges: the range of percentages it can be, and its middle.

    The numerator counts some of the denominator's (never more). The low end is rounded down and the high end
    up, so the true share is always inside: ("40–90%", 0.65).
    """
    top, bottom = numerator, denominator
    low = top[0] / bottom[1] if bottom[1] else 0.0
    high = min(1.0, top[1] / max(bottom[0], top[0], 1)) if top[1] else 0.0
    low = min(low, high)
    low_percent, high_percent = math.floor(low * 100 + 1e-9), math.ceil(high * 100 - 1e-9)
    text = f"{low_percent}%" if low_percent == high_percent else f"{low_percent}{RANGE_DASH}{high_percent}%"
    return text, (low + high) / 2
