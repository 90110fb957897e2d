"""Small-number suppression for every aggregate figure: no count can point at an identifiable child.

Primary suppression: every count from 1 to 4 shows as "<5" (0 and 5 or more show as they are).

Secondary suppression: a table's counts add up along lines (a row of cells and its total, a column
and its total, a step of a funnel and the step before). Along a line, a hidden count could be
worked out from the ones shown. `protect` hides more counts, shown as "[c]", until no line gives one
away: a line is safe when it hides nothing, or hides its total and something else, or (with its
total shown) hides at least two cells that together make 5 or more, and not all 1s or all 4s.
The count hidden next is the smallest non-zero cell shown on the line (so totals stay visible
wherever possible), or the line's total when no cell is left. Lines are checked again until
nothing changes: hiding a cell can open another line it lies on.

Rates, medians and means are shown only when they come from at least 5 cases ("<5 cases"
otherwise), and hidden ("[c]") when a count they are made from is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SUPPRESSION_THRESHOLD = 5
SMALL_COUNT = f"<{SUPPRESSION_THRESHOLD}"
HIDDEN_COUNT = "[c]"
FEW_CASES = f"<{SUPPRESSION_THRESHOLD} cases"
NO_CASES = "No cases"


def suppress_small(count: int) -> str:
    """Show a count safely: 0 and 5 or more as they are, 1 to 4 as "<5"."""
    if is_small(count):
        return SMALL_COUNT
    return str(count)


def is_small(count: int) -> bool:
    return 0 < count < SUPPRESSION_THRESHOLD


class Hidden(StrEnum):
    SMALL = "small"  # primary: a count from 1 to 4
    COMPLEMENT = "complement"  # secondary: hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class Line:
    """Counts that add up: `members` sum to `total` (all keys of the values given to `protect`)."""

    members: tuple[str, ...]
    total: str


@dataclass
class Protection:
    """What `protect` decided: which keys are hidden, and why."""

    hidden: dict[str, Hidden] = field(default_factory=dict)

    def is_hidden(self, key: str) -> bool:
        return key in self.hidden

    def text(self, key: str, value: int) -> str:
        """The count as shown: the number, "<5" or "[c]"."""
        reason = self.hidden.get(key)
        if reason is Hidden.SMALL:
            return SMALL_COUNT
        if reason is Hidden.COMPLEMENT:
            return HIDDEN_COUNT
        return str(value)


def protect(values: Mapping[str, int], lines: Iterable[Line], *, displayed: Iterable[str] | None = None) -> Protection:
    """Decide which counts to hide (primary and secondary suppression) so that no line reveals a small count.

    `displayed` names the counts shown somewhere (all of `values` when None). A count that is never
    shown but is implied by a line (a funnel step's drop-out, say) takes part: when it is from 1 to 4
    it must stay hidden, so the counts around it are protected like any other line.
    """
    lines = list(lines)
    shown = set(values) if displayed is None else set(displayed)
    protection = Protection({key: Hidden.SMALL for key, value in values.items() if is_small(value)})
    hidden = protection.hidden
    changed = True
    while changed:
        changed = False
        for line in lines:
            if _line_is_safe(line, values, hidden):
                continue
            pick = _next_to_hide(line, values, hidden, shown)
            if pick is not None:
                hidden[pick] = Hidden.COMPLEMENT
                changed = True
    return protection


def _line_is_safe(line: Line, values: Mapping[str, int], hidden: Mapping[str, Hidden]) -> bool:
    hidden_members = [key for key in line.members if key in hidden]
    total_hidden = line.total in hidden
    count = len(hidden_members) + (1 if total_hidden else 0)
    if count == 0:
        return True
    if count == 1:
        return False
    if total_hidden:
        return True
    together = sum(values[key] for key in hidden_members)
    if together < SUPPRESSION_THRESHOLD:
        return False
    all_small = all(hidden[key] is Hidden.SMALL for key in hidden_members)
    # Small counts are each 1 to 4: a remainder of all 1s or all 4s gives every one of them away.
    return not (all_small and together in (len(hidden_members), 4 * len(hidden_members)))


def _next_to_hide(line: Line, values: Mapping[str, int], hidden: Mapping[str, Hidden], shown: set[str]) -> str | None:
    candidates = [key for key in line.members if key in shown and key not in hidden and values[key] > 0]
    if candidates:
        return min(candidates, key=lambda key: values[key])
    if line.total in shown and line.total not in hidden:
        return line.total
    return None
