"""Database helpers: for migrations, and for queries the JIT compiler would slow down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, migrations, transaction


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
