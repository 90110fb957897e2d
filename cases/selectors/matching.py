"""Near-duplicate children: names that are spelt or heard alike, dates of birth typed a little wrong.

A name word matches a child's first or last name when it is close in trigrams (PostgreSQL `pg_trgm`: "Brenan"
and "Brennan" share most three-letter pieces) or sounds the same (Double Metaphone from `fuzzystrmatch`:
"Kai" and "Kay" both give "K"). A date of birth matches the same date, the date with day and month swapped
(3 April for 4 March) and every date one digit away in DD/MM/YYYY (17 for 27, 2009 for 2008). Both kinds of
condition are answered from indexes on `cases_child` (migration 0007): trigram GIN indexes on the names,
expression indexes on their sound, a B-tree index on the date of birth.

These are conditions only: who may be told about a match stays with the callers and the access module
(`cases.selectors.lists.case_search`, `referrals.selectors.duplicate_check`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import BooleanField, CharField, Expression, ExpressionWrapper, FloatField, Func, Q, Value
from django.db.models.functions import Greatest
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import timezone

from cases.models.matching import DMetaphone

# A typed word matches the closest part of a name ("Brenan" in "Brennan-Cole") through pg_trgm's `%>` operator,
# at the server's `pg_trgm.word_similarity_threshold` (0.6 unless changed). A whole name against a whole name,
# when the date of birth is near too, needs this similarity:
NAME_SIMILARITY = 0.45
SHORTEST_SOUND = 2  # shorter words have no useful sound code
NAME_FIELDS = ("given_name", "family_name")
EARLIEST_BIRTH_YEAR = 1900


def name_words(text: str) -> list[str]:
    """The words of a typed name, lower case, punctuation other than hyphens and apostrophes dropped."""
    return [word for word in re.split(r"[^\w'-]+", text.lower()) if word.strip("'-")]


def _sound_of(word: str) -> Func:
    return Func(Value(word), function="dmetaphone", output_field=CharField())


def _sounds_like(field: str, word: str) -> Q:
    if len(word) < SHORTEST_SOUND:
        return Q(pk__in=[])
    return Q(Exact(DMetaphone(field), _sound_of(word)))


def word_matches(word: str, *, prefix: str = "") -> Q:
    """One typed word is close to a part of, or sounds like, the child's first or last name. Every branch is
    answered from an index (a plain `icontains` is not, and made PostgreSQL read every child): a word typed in
    full or a good part of one ("Bren", "lemer") is close in trigrams to the name that holds it."""
    condition = Q()
    for name in NAME_FIELDS:
        field = f"{prefix}{name}"
        condition |= Q(**{f"{field}__trigram_word_similar": word}) | _sounds_like(field, word)
    return condition


def name_matches(text: str, *, prefix: str = "") -> Q | None:
    """Every typed word matches one of the child's names; None when nothing was typed."""
    words = name_words(text)
    if not words:
        return None
    condition = Q()
    for word in words:
        condition &= word_matches(word, prefix=prefix)
    return condition


def flag(condition: Q) -> ExpressionWrapper:
    """A condition as a true/false column (to sort the exact matches first)."""
    return ExpressionWrapper(condition, output_field=BooleanField())


def closeness(text: str, *, prefix: str = "") -> Expression:
    """How close the typed words are to the child's names (0 to 1 per word, summed): the better matches first."""
    score: Any = Value(0.0, output_field=FloatField())
    for word in name_words(text):
        score = score + Greatest(
            *(TrigramWordSimilarity(word, f"{prefix}{name}") for name in NAME_FIELDS), output_field=FloatField()
        )
    return score


def same_child_names(*, given_name: str, family_name: str, prefix: str = "") -> Q:
    """The typed first and last names are close to the child's (or to each other's, typed the wrong way round)."""
    given = _whole_name_close(f"{prefix}given_name", given_name)
    family = _whole_name_close(f"{prefix}family_name", family_name)
    swapped = _whole_name_close(f"{prefix}given_name", family_name) & _whole_name_close(
        f"{prefix}family_name", given_name
    )
    return (given & family) | swapped


def _whole_name_close(field: str, typed: str) -> Q:
    typed = " ".join(name_words(typed))
    if not typed:
        return Q(pk__in=[])
    return (
        Q(**{f"{field}__iexact": typed})
        | Q(**{f"{field}__trigram_word_similar": typed})
        | Q(GreaterThanOrEqual(TrigramSimilarity(field, typed), NAME_SIMILARITY))
        | _sounds_like(field, typed)
    )


def birth_dates_near(date_of_birth: dt.date, *, today: dt.date | None = None) -> list[dt.date]:
    """The date, the date with day and month swapped, and every real date one digit away in DD/MM/YYYY."""
    latest = today or timezone.localdate()
    digits = date_of_birth.strftime("%d%m%Y")
    near = {date_of_birth}
    swapped = _date_or_none(date_of_birth.month, date_of_birth.day, date_of_birth.year)
    if swapped is not None:
        near.add(swapped)
    for position, digit in enumerate(digits):
        for other in "0123456789":
            if other == digit:
                continue
            changed = digits[:position] + other + digits[position + 1 :]
            found = _date_or_none(int(changed[:2]), int(changed[2:4]), int(changed[4:]))
            if found is not None:
                near.add(found)
    return sorted(day for day in near if day.year >= EARLIEST_BIRTH_YEAR and day <= latest)


def _date_or_none(day: int, month: int, year: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def birth_matches(date_of_birth: dt.date, *, prefix: str = "") -> Q:
    """The child's date of birth is this date or one typed a little wrong (see `birth_dates_near`)."""
    return Q(**{f"{prefix}date_of_birth__in": birth_dates_near(date_of_birth)})


def near_duplicate(*, given_name: str, family_name: str, date_of_birth: dt.date, prefix: str = "") -> Q:
    """Maybe the same child: close names and a near date of birth."""
    return same_child_names(given_name=given_name, family_name=family_name, prefix=prefix) & birth_matches(
        date_of_birth, prefix=prefix
    )
