"""Case tallies: how many contacts and chronology lines each case has, kept by statement triggers on the two
tables (cases.models.CaseTally, cases.tallies), and filled once from the rows already there."""

from django.db import migrations, models

# What each row is tallied as: who may see it decides which tallies a person's count adds up.
TALLIED = {
    "contact": ("cases_contact", "CASE WHEN restricted THEN 'contact:restricted' ELSE 'contact' END"),
    "event": ("cases_caseevent", "'event:' || visibility"),
}


def _triggers(name: str, table: str, what: str) -> str:
    """One function for inserts, deletes and updates (a row moved to another case, or made restricted), run once
    per statement with the rows it changed; the tallies are locked in one order, so two statements never wait on
    each other's. Built from this file's constants only."""
    return f"""
CREATE OR REPLACE FUNCTION ecm_tally_{name}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO cases_casetally AS tally (case_id, what, n)
            SELECT case_id, {what}, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (case_id, what) DO UPDATE SET n = tally.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO cases_casetally AS tally (case_id, what, n)
            SELECT case_id, {what}, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (case_id, what) DO UPDATE SET n = tally.n + EXCLUDED.n;
    ELSE
        INSERT INTO cases_casetally AS tally (case_id, what, n)
            SELECT case_id, what, sum(change) FROM (
                SELECT case_id, {what} AS what, -1 AS change FROM old_rows
                UNION ALL
                SELECT case_id, {what} AS what, 1 AS change FROM new_rows
            ) AS changed GROUP BY 1, 2 HAVING sum(change) <> 0 ORDER BY 1, 2
        ON CONFLICT (case_id, what) DO UPDATE SET n = tally.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ecm_tally_{name}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ecm_tally_{name}();
CREATE TRIGGER ecm_tally_{name}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ecm_tally_{name}();
CREATE TRIGGER ecm_tally_{name}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ecm_tally_{name}();
"""  # noqa: S608


# A case deleted takes its tallies with it (its rows are deleted first, each statement leaving its tallies at 0).
CASE_GONE = """
CREATE OR REPLACE FUNCTION ecm_tally_case_gone() RETURNS trigger AS $$
BEGIN
    DELETE FROM cases_casetally tally USING old_rows gone WHERE tally.case_id = gone.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ecm_tally_case_gone AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ecm_tally_case_gone();
"""


def _fill(table: str, what: str) -> str:
    # The table is locked first, so no row is written between the count and the trigger taking over.
    return (
        f"LOCK TABLE {table} IN SHARE MODE;"  # noqa: S608 (this file's constants)
        f" INSERT INTO cases_casetally (case_id, what, n) SELECT case_id, {what}, count(*) FROM {table} GROUP BY 1, 2;"
    )


def _drop(name: str, table: str) -> str:
    return (
        "".join(f"DROP TRIGGER IF EXISTS ecm_tally_{name}_{op} ON {table};" for op in ("insert", "delete", "update"))
        + f" DROP FUNCTION IF EXISTS ecm_tally_{name}();"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_child_reference_upper"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("case_id", models.BigIntegerField()),
                ("what", models.CharField(max_length=40)),
                ("n", models.IntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("case_id", "what"), name="case_tally_once")],
            },
        ),
        *(
            migrations.RunSQL(_fill(table, what) + _triggers(name, table, what), reverse_sql=_drop(name, table))
            for name, (table, what) in TALLIED.items()
        ),
        migrations.RunSQL(
            CASE_GONE,
            reverse_sql="DROP TRIGGER IF EXISTS ecm_tally_case_gone ON cases_case;"
            " DROP FUNCTION IF EXISTS ecm_tally_case_gone();",
        ),
    ]
