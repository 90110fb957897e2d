"""Dates that every app counts the same way."""

from __future__ import annotations

import datetime as dt


def age_on(born: dt.date, day: dt.date) -> int:
    """Age in whole years on `day` of someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
