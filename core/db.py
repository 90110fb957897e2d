"""Database helpers: for migrations, and for queries the JIT compiler would slow down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, migrations, transaction
from django.db.models import Model, Q


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


def expression_sql(model: type[Model], expression: Any) -> tuple[str, tuple[Any, ...]]:
    """The SQL of an expression on `model`'s rows, compiled once so that it can be reused as `RawSQL`.

    For a page whose columns are many scalar subqueries (the caseload's work columns): building and
    resolving them through the ORM on every request cost more than running them (issue 14). The SQL
    names the model's table unaliased (`OuterRef("pk")` becomes `"<table>"."id"`), so it is only valid
    in a query whose base table is that table, never inside a subquery Django would relabel.
    """
    query = model._default_manager.annotate(__compiled=expression).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.annotations["__compiled"])
    return sql, tuple(params)


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
