"""Working days (Monday to Friday), in Python and in SQL, giving the same answers.

England and Wales bank holidays are not counted out: a reminder near a bank holiday comes a
day early rather than late, which is the safe side for a wait that is already too long.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateField, Expression, Func
from django.db.models.sql.compiler import SQLCompiler

ONE_DAY = dt.timedelta(days=1)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (a weekend start counts from the Monday after)."""
    day = start
    remaining = count
    while remaining > 0:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days come after `start`, up to and including `end`."""
    if end <= start:
        return 0
    whole_weeks, extra = divmod((end - start).days, 7)
    count = whole_weeks * 5
    day = start + dt.timedelta(days=whole_weeks * 7)
    for _ in range(extra):
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count


def latest_start_due_by(today: dt.date, count: int) -> dt.date:
    """The latest date whose `count`-th working day after it is on or before `today`.

    Everything started on or before it is due; a sargable bound for the sweep's queries.
    """
    start = today - dt.timedelta(days=count)
    while add_working_days(start, count) > today:
        start -= ONE_DAY
    return start


class AddWorkingDays(Func):
    """SQL for `add_working_days(date, count)` (count 1 or more), so the sweep computes due dates in the database.

    A Saturday or Sunday counts from the Friday before it (its next working day is the same
    Monday); from a weekday, every five working days cross one weekend.
    """

    output_field = DateField()

    def __init__(self, date: Expression | str, count: int, **extra: Any) -> None:
        if count < 1:
            raise ValueError("AddWorkingDays counts one working day or more")
        self.count = int(count)
        super().__init__(date, **extra)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        isodow = f"EXTRACT(ISODOW FROM {date_sql})::integer"
        from_friday = f"({date_sql} - GREATEST({isodow} - 5, 0))"
        weekday = f"LEAST({isodow}, 5)"
        sql = f"({from_friday} + %s + 2 * (({weekday} - 1 + %s) / 5))"
        # Parameters in the order their placeholders appear.
        params = (*date_params, *date_params, self.count, *date_params, self.count)
        return sql, params
