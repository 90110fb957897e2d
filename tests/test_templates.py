"""Checks over every template file."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_no_template_has_a_comment_over_several_lines() -> None:
    """Django's {# #} comments end at the line's end: one spread over lines is printed on the page."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)[:40]!r}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in re.finditer(r"\{#.*?#\}", path.read_text(encoding="utf-8"), re.S)
        if "\n" in match.group(0)
    ]
    assert not offenders, "Use {% comment %} for comments over several lines:\n" + "\n".join(offenders)
