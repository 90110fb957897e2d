"""What changed between two versions of a formulation report: section by section, word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from accounts.models import AccessAction
from formulation.models import REPORT_SECTIONS, SECTION_HEADINGS, FormulationReport, Recommendation
from formulation.selectors.reports import _log
from trm_stages.selectors import current_version

_WORD = re.compile(r"(\S+)(\s*)")


@dataclass(frozen=True)
class DiffPart:
    kind: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Word-level differences from `old` to `new` (difflib), keeping the new text's spacing and lines."""
    old_words = [(match.group(1), match.group(2)) for match in _WORD.finditer(old.strip())]
    new_words = [(match.group(1), match.group(2)) for match in _WORD.finditer(new.strip())]
    matcher = difflib.SequenceMatcher(
        a=[word for word, _ in old_words], b=[word for word, _ in new_words], autojunk=False
    )
    parts: list[DiffPart] = []

    def add(kind: str, words: list[tuple[str, str]]) -> None:
        text = "".join(word + space for word, space in words)
        if not text:
            return
        if parts and parts[-1].kind == kind:
            parts[-1] = DiffPart(kind, parts[-1].text + text)
        else:
            parts.append(DiffPart(kind, text))

    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            add("same", new_words[new_start:new_end])
            continue
        removed = old_words[old_start:old_end]
        if removed and new_end > new_start:
            # Keep a space between the removed words and the added ones that replace them.
            removed = [*removed[:-1], (removed[-1][0], removed[-1][1] or " ")]
        add("removed", removed)
        add("added", new_words[new_start:new_end])
    return _spaces_outside(parts)


def _spaces_outside(parts: list[DiffPart]) -> list[DiffPart]:
    """Move the spacing after added or removed words out of them, so no blank is underlined or struck."""
    tidy: list[DiffPart] = []
    for part in parts:
        words = part.text.rstrip() if part.kind != "same" else part.text
        spacing = part.text[len(words) :]
        for kind, text in ((part.kind, words), ("same", spacing)):
            if not text:
                continue
            if tidy and tidy[-1].kind == kind:
                tidy[-1] = DiffPart(kind, tidy[-1].text + text)
            else:
                tidy.append(DiffPart(kind, text))
    return tidy


@dataclass(frozen=True)
class SectionChange:
    name: str
    heading: str
    parts: list[DiffPart]

    @property
    def changed(self) -> bool:
        return any(part.kind != "same" for part in self.parts)


@dataclass(frozen=True)
class ReportChanges:
    older: FormulationReport
    newer: FormulationReport
    sections: list[SectionChange]
    added_recommendations: list[Recommendation]
    removed_recommendations: list[Recommendation]
    kept_recommendations: int

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [section for section in self.sections if section.changed]

    @property
    def unchanged_headings(self) -> list[str]:
        return [section.heading for section in self.sections if not section.changed]


def _stage_words(stage: int | None, names: dict[int, str]) -> str:
    if stage is None:
        return "Not given"
    return f"Stage {stage}: {names.get(stage, '')}".rstrip(": ")


def report_changes(*, older: FormulationReport, newer: FormulationReport) -> ReportChanges:
    """What changed from one version to another, section by section, and which recommendations came and went."""
    names = {stage.number: stage.name for stage in current_version().stages.all()}
    headings = {**SECTION_HEADINGS, "trm_rationale": "Rationale for the TRM stage"}
    sections = [
        SectionChange(name=name, heading=headings[name], parts=word_diff(getattr(older, name), getattr(newer, name)))
        for name, _, _ in REPORT_SECTIONS
    ]
    sections.insert(
        len(sections) - 1,
        SectionChange(
            name="trm_stage",
            heading="TRM stage",
            parts=word_diff(_stage_words(older.trm_stage, names), _stage_words(newer.trm_stage, names)),
        ),
    )
    sections.append(
        SectionChange(
            name="child_friendly_summary",
            heading="Child-friendly summary",
            parts=word_diff(older.child_friendly_summary, newer.child_friendly_summary),
        )
    )
    recommendations = Recommendation.objects.filter(report__in=[older, newer]).order_by("position", "pk")
    old_texts: dict[str, Recommendation] = {}
    new_texts: dict[str, Recommendation] = {}
    for recommendation in recommendations:
        texts = old_texts if recommendation.report_id == older.pk else new_texts
        texts.setdefault(" ".join(recommendation.text.split()).lower(), recommendation)
    return ReportChanges(
        older=older,
        newer=newer,
        sections=sections,
        added_recommendations=[rec for text, rec in new_texts.items() if text not in old_texts],
        removed_recommendations=[rec for text, rec in old_texts.items() if text not in new_texts],
        kept_recommendations=sum(1 for text in new_texts if text in old_texts),
    )


def compare_versions(*, user: Any, older: FormulationReport, newer: FormulationReport) -> ReportChanges:
    """Two versions the person may read (from reports_for), compared; both reads are logged."""
    for report in (older, newer):
        _log(user, AccessAction.VIEW, report, f"version {report.version}, compared")
    return report_changes(older=older, newer=newer)
