"""Other children's names in a subject access pack's free text, listed for the person handling the request to redact.

Matched on whole words, whatever the letter case, against the names of the other children on ECM. Nothing
else about another child is read: only the names of those whose family name appears in the pack's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.models.functions import Lower

from cases.models import Child
from data_rights.pack_schema import SECTION_KEYS

# A word: letters, with hyphens and apostrophes inside ("O'Neill", "Smith-Jones").
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Sections whose strings are the child's own details or the log's bookkeeping, not free text about them.
_NOT_FREE_TEXT = frozenset({"child", "access_events", "redaction_review"})
_EXCERPT = 60


def _words(text: str) -> list[str]:
    """The text's words in lower case, a possessive "'s" dropped ("Jayden Cole's" → jayden, cole)."""
    words = []
    for word in _WORD.findall(text.lower()):
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        words.append(word)
    return words


def _free_text(sections: dict[str, Any]) -> Iterator[tuple[str, Any, str, str]]:
    """Every string in the pack's free-text sections: (section, the item's id, the field's path, the text)."""
    for key in SECTION_KEYS:
        if key in _NOT_FREE_TEXT:
            continue
        for item in sections.get(key, []):
            yield from _strings(key, item.get("id"), "", item)


def _strings(section: str, record_id: Any, path: str, value: Any) -> Iterator[tuple[str, Any, str, str]]:
    if isinstance(value, str):
        if value:
            yield section, record_id, path, value
    elif isinstance(value, dict):
        for field, inner in value.items():
            yield from _strings(section, record_id, f"{path}.{field}" if path else field, inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(section, record_id, path, inner)


def redaction_review(child: Child, sections: dict[str, Any]) -> list[dict[str, Any]]:
    """Other children's full names found in the pack's free text, each with where it is and a short excerpt.

    Matched on whole words, whatever the letter case, against the names of the other children on ECM
    (one query: only those whose family name appears in the text). A child with exactly the subject's
    name cannot be told apart from them and is not listed. Nothing else about the other child is read.
    """
    texts = list(_free_text(sections))
    all_words = {word for *_, text in texts for word in _words(text)}
    if not all_words:
        return []
    own_name = tuple(_words(child.full_name))
    candidates = (
        Child.objects.exclude(pk=child.pk)
        .annotate(family_lower=Lower("family_name"))
        .filter(family_lower__in=sorted(all_words))
        .values_list("given_name", "family_name")
    )
    names: dict[tuple[str, ...], str] = {}
    for given_name, family_name in candidates:
        words = tuple(_words(f"{given_name} {family_name}"))
        if words and words != own_name:
            names[words] = f"{given_name} {family_name}"
    if not names:
        return []
    lengths = sorted({len(words) for words in names})
    found = []
    for section, record_id, field, text in texts:
        text_words = _words(text)
        seen: set[str] = set()
        for length in lengths:
            for start in range(len(text_words) - length + 1):
                name = names.get(tuple(text_words[start : start + length]))
                if name is not None and name not in seen:
                    seen.add(name)
                    found.append(
                        {
                            "name": name,
                            "section": section,
                            "record_id": record_id,
                            "field": field,
                            "excerpt": _excerpt(text, name),
                        }
                    )
    return found


def _excerpt(text: str, name: str) -> str:
    """A few words either side of the name's first mention, for the reviewer to find it."""
    pattern = r"\W+".join(re.escape(part) for part in _WORD.findall(name))
    match = re.search(pattern, text, flags=re.IGNORECASE)
    if match is None:
        return text[: 2 * _EXCERPT]
    start, end = max(0, match.start() - _EXCERPT), min(len(text), match.end() + _EXCERPT)
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")
