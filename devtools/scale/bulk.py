"""Bulk loading for seed_scale: ids reserved from a table's sequence, rows streamed in with COPY."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone


@dataclass
class Counts:
    """How many rows of each kind were made, in the order they were made."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + number


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, taken from its sequence in one statement."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [model._meta.db_table, model._meta.db_table, count],
        )
        [(last,)] = cursor.fetchall()
    return list(range(last - count + 1, last + 1))


def copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Stream rows into the model's table with COPY; returns how many."""
    quote = connection.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment chosen evenly between two others."""
    span = max((end - start).total_seconds(), 1)
    return start + dt.timedelta(seconds=rng.uniform(0, span))


def at_hour(moment: dt.datetime, hour: int) -> dt.datetime:
    """The same UK day, at the hour."""
    local = timezone.localtime(moment)
    return timezone.make_aware(dt.datetime.combine(local.date(), dt.time(hour)))
