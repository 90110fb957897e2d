"""Database helpers: for migrations, and for queries the JIT compiler would slow down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, migrations, transaction
from django.db.models import Field, Model, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone


def drop_column_index(name: str, table: str, column: str) -> migrations.RunSQL:
    """Drop one single-column index by its name (reversible).

    `AlterField(..., db_index=False)` drops every index on the column that PostgreSQL reports,
    partial unique indexes declared as constraints included (it dropped `report_one_open_version`
    once); naming the one index to drop leaves the others alone.
    """
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
    )


@contextmanager
def without_jit() -> Iterator[None]:
    """Run the block's queries in one transaction without PostgreSQL's JIT compilation.

    For a list sorted by per-row subqueries (the caseload by last contact or overdue actions): at
    national scale the planner's estimate crosses `jit_above_cost`, and compiling costs far more than
    running (issue 14 measured 1 s of JIT on a 30 ms list). `SET LOCAL` ends with the transaction.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# Stands for "now" in an expression compiled once (`compiled_daily`): each use puts the time of that use in its
# place, so the app's clock decides, as everywhere else (the database's own clock, `Now()`, is not the app's
# in tests that hold the clock).
NOW = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CompiledSql:
    """An expression on a model's own row, compiled (`compile_expression`), with the field its value converts by."""

    sql: str
    params: tuple[Any, ...]
    output_field: Field[Any, Any]

    def expression(self) -> RawSQL:
        params = self.params
        if NOW in params:
            now = timezone.now()
            params = tuple(now if param == NOW else param for param in params)
        return RawSQL(self.sql, params, self.output_field)  # noqa: S611 (compiled by the ORM; values are parameters)


def compile_expression(model: type[Model], expression: Any) -> CompiledSql:
    """The SQL of an expression on `model`'s rows, compiled once so that it can be reused as `RawSQL`, with the
    output field the ORM resolved (so values convert as the expression's would).

    The SQL names the model's table unaliased (`OuterRef("pk")` becomes `"<table>"."id"`), so it is only valid
    in a query whose base table is that table, never inside a subquery Django would relabel.
    """
    query = model._default_manager.annotate(__compiled=expression).query
    resolved = query.annotations["__compiled"]
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(resolved)
    except EmptyResultSet:  # as the ORM does for a selected expression that can match nothing (`x IN ()`)
        empty = getattr(resolved, "empty_result_set_value", NotImplemented)
        sql, params = ("NULL", []) if empty is NotImplemented else compiler.compile(Value(empty))
    except FullResultSet:  # ... or everything
        sql, params = compiler.compile(Value(True))
    return CompiledSql(sql, tuple(params), resolved.output_field)


_DAILY: dict[dt.date, dict[Hashable, dict[str, CompiledSql]]] = {}


def compiled_daily(
    model: type[Model], build: Callable[..., Mapping[str, Any]], *args: Hashable
) -> dict[str, CompiledSql]:
    """The named expressions `build(*args)` makes on `model`'s row, compiled once a day for each `args`.

    For facts read on every page (the caseload's work columns, the case page's sections): building and
    resolving them through the ORM cost more than running them (issue 14). `build` must depend on nothing but
    `args` and the day: no person, no case (an `OuterRef("pk")` stands for the row), no clock finer than the
    date (`NOW` stands for the time of each use). Whatever differs between people, such as whether they read
    restricted notes, is one of `args`, so each answer is compiled for exactly the people it is for.
    """
    today = timezone.localdate()
    day = _DAILY.get(today)
    if day is None:
        _DAILY.clear()  # yesterday's
        day = _DAILY.setdefault(today, {})
    key = (model._meta.label, build.__module__, build.__qualname__, args)
    compiled = day.get(key)
    if compiled is None:
        compiled = {name: compile_expression(model, expression) for name, expression in build(*args).items()}
        day[key] = compiled
    return compiled


def condition_sql(model: type[Model], condition: Q) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a condition on `model`'s own row (no joins), for `RawSQL` as `expression_sql`."""
    query = model._default_manager.filter(condition).query
    joined = [alias for alias, count in query.alias_refcount.items() if count and alias != query.base_table]
    if joined:
        raise ValueError(f"condition_sql takes conditions on the row's own columns, not joins: {condition!r}")
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return "FALSE", ()
    except FullResultSet:
        return "TRUE", ()
    return sql, tuple(params)
