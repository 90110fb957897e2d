"""Every index and constraint the models declare is in the database, and no single-column index that a
composite index of the same table already covers (issue 14).

A composite index whose first column is X serves every lookup on X, so a second index on X alone
only costs writes and space. Django adds one to every foreign key unless told `db_index=False`;
the models say so where a composite starts with the key. Third-party tables are left as they come.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

OURS = ("accounts_", "cases_", "referrals_", "formulation_", "trm_stages_", "reviews_", "reporting_")
# Tables whose columns come from third-party base classes or Django's own many-to-many tables.
LEFT_AS_THEY_COME = (
    "objectpermission",
    "accounts_user_groups",
    "accounts_user_user_permissions",
    "_thresholds_crossed",
)


@pytest.mark.django_db
def test_no_single_column_index_duplicates_the_start_of_a_composite() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH idx AS (
                SELECT i.indrelid::regclass::text AS tbl, c.relname AS name, i.indkey::int2[] AS keys,
                       i.indisunique AS uniq, i.indpred IS NOT NULL AS partial, c.relam AS method
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()
            )
            SELECT single.tbl, single.name, composite.name FROM idx single JOIN idx composite
              -- only B-tree beside B-tree: a trigram GIN index on a name is no copy of a B-tree on it
              ON single.tbl = composite.tbl AND single.name <> composite.name AND single.method = composite.method
            WHERE array_length(single.keys, 1) = 1 AND array_length(composite.keys, 1) > 1
              AND composite.keys[0] = single.keys[0] AND NOT single.uniq AND NOT single.partial
              AND NOT composite.partial
            """
        )
        rows = cursor.fetchall()
    redundant = [
        f"{table}: {single} (covered by {composite})"
        for table, single, composite in rows
        if table.startswith(OURS) and not any(part in table for part in LEFT_AS_THEY_COME)
    ]
    assert redundant == []


@pytest.mark.django_db
def test_every_declared_index_and_constraint_is_in_the_database() -> None:
    """Migrations made what the models declare: a lost partial unique index once let two versions of a
    report be open at once (AlterField(db_index=False) drops every index on the column)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT conname FROM pg_constraint")
        present |= {name for (name,) in cursor.fetchall()}
    declared = {
        f"{model._meta.label}: {item.name}"
        for model in apps.get_models()
        if model._meta.db_table.startswith(OURS) and model._meta.managed
        for item in [*model._meta.indexes, *model._meta.constraints]
        if item.name not in present
    }
    assert declared == set()
