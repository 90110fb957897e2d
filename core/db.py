"""Database helpers for migrations."""

from __future__ import annotations

from django.db import migrations


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
