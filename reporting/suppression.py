"""Small-number suppression for anything shown to commissioners: counts from 1 to 4 show as "<5"."""

from __future__ import annotations

SUPPRESSION_THRESHOLD = 5


def suppress_small(count: int) -> str:
    """Show a count safely: 0 and 5 or more as they are, 1 to 4 as "<5"."""
    if 0 < count < SUPPRESSION_THRESHOLD:
        return f"<{SUPPRESSION_THRESHOLD}"
    return str(count)
