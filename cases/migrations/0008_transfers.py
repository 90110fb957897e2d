"""Moving cases between services (issue 17): offers, and which service held each case when."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

FIRST_HOLDING_TRIGGER = """
CREATE OR REPLACE FUNCTION ecm_case_first_holding() RETURNS trigger AS $$
BEGIN
    INSERT INTO cases_caseholding (case_id, agency_id, started_at, ended_at)
    VALUES (NEW.id, NEW.owning_yjs_id, NULL, NULL);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ecm_case_first_holding AFTER INSERT ON cases_case
    FOR EACH ROW EXECUTE FUNCTION ecm_case_first_holding();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_access_event_case_ids"),
        ("cases", "0007_near_duplicates_and_merge"),
        ("pghistory", "0007_auto_20250421_0444"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseHolding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holdings",
                        to="cases.case",
                    ),
                ),
            ],
            options={
                "ordering": ["case", "started_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CaseTransfer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for a decision"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("reason", models.TextField(verbose_name="Why the case should move")),
                ("note", models.TextField(blank=True, verbose_name="Note for the receiving service")),
                ("offered_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decline_reason", models.TextField(blank=True, verbose_name="Why the offer was declined")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="transfers", to="cases.case"
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "from_yjs",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_offered",
                        to="accounts.agency",
                    ),
                ),
                (
                    "new_holder",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "offered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "to_yjs",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="transfers_received",
                        to="accounts.agency",
                    ),
                ),
            ],
            options={
                "ordering": ["-offered_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="CaseHoldingHistory",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.caseholding",
                    ),
                ),
                (
                    "transfer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.casetransfer",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddField(
            model_name="caseholding",
            name="transfer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.casetransfer",
            ),
        ),
        migrations.CreateModel(
            name="CaseTransferHistory",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for a decision"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("reason", models.TextField(verbose_name="Why the case should move")),
                ("note", models.TextField(blank=True, verbose_name="Note for the receiving service")),
                ("offered_at", models.DateTimeField()),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decline_reason", models.TextField(blank=True, verbose_name="Why the offer was declined")),
                (
                    "case",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "from_yjs",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="accounts.agency",
                    ),
                ),
                (
                    "new_holder",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "offered_by",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="history",
                        to="cases.casetransfer",
                    ),
                ),
                (
                    "to_yjs",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="accounts.agency",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="casetransfer",
            index=models.Index(fields=["to_yjs", "status"], name="case_transfer_to"),
        ),
        migrations.AddConstraint(
            model_name="casetransfer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")), fields=("case",), name="case_transfer_one_pending"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casetransfer",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casetransferhistory" ("case_id", "decided_at", "decided_by_id", "decline_reason", "from_yjs_id", "id", "new_holder_id", "note", "offered_at", "offered_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "status", "to_yjs_id") VALUES (NEW."case_id", NEW."decided_at", NEW."decided_by_id", NEW."decline_reason", NEW."from_yjs_id", NEW."id", NEW."new_holder_id", NEW."note", NEW."offered_at", NEW."offered_by_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."status", NEW."to_yjs_id"); RETURN NULL;',
                    hash="9d829b290c6796df92d1e65bb5266c7244a52a39",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_cbf70",
                    table="cases_casetransfer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casetransfer",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_casetransferhistory" ("case_id", "decided_at", "decided_by_id", "decline_reason", "from_yjs_id", "id", "new_holder_id", "note", "offered_at", "offered_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "status", "to_yjs_id") VALUES (NEW."case_id", NEW."decided_at", NEW."decided_by_id", NEW."decline_reason", NEW."from_yjs_id", NEW."id", NEW."new_holder_id", NEW."note", NEW."offered_at", NEW."offered_by_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."status", NEW."to_yjs_id"); RETURN NULL;',
                    hash="ee2c4717eeda102bbc692869102f6f4d43e34524",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_01a11",
                    table="cases_casetransfer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casetransfer",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_casetransferhistory" ("case_id", "decided_at", "decided_by_id", "decline_reason", "from_yjs_id", "id", "new_holder_id", "note", "offered_at", "offered_by_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "status", "to_yjs_id") VALUES (OLD."case_id", OLD."decided_at", OLD."decided_by_id", OLD."decline_reason", OLD."from_yjs_id", OLD."id", OLD."new_holder_id", OLD."note", OLD."offered_at", OLD."offered_by_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."status", OLD."to_yjs_id"); RETURN NULL;',
                    hash="112eb02d35658d352eeeb8813bce81ddf22eabd5",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_4abab",
                    table="cases_casetransfer",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseholdinghistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="e077c4875a1fce6d3347f08fbfb0550defc6e7bf",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_d53bc",
                    table="cases_caseholdinghistory",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="caseholding",
            index=models.Index(fields=["case", "ended_at"], name="case_holding_case"),
        ),
        migrations.AddIndex(
            model_name="caseholding",
            index=models.Index(fields=["agency", "ended_at"], name="case_holding_agency"),
        ),
        migrations.AddConstraint(
            model_name="caseholding",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_at__isnull", True)), fields=("case",), name="case_holding_one_current"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseholding",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_caseholdinghistory" ("agency_id", "case_id", "ended_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "started_at", "transfer_id") VALUES (NEW."agency_id", NEW."case_id", NEW."ended_at", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."started_at", NEW."transfer_id"); RETURN NULL;',
                    hash="134600b2c752adecaacccbe074b36d0f5e848541",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_debeb",
                    table="cases_caseholding",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseholding",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "cases_caseholdinghistory" ("agency_id", "case_id", "ended_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "started_at", "transfer_id") VALUES (NEW."agency_id", NEW."case_id", NEW."ended_at", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."started_at", NEW."transfer_id"); RETURN NULL;',
                    hash="f896513d53b0b6b4e67ddef776cf748eab0a6bcb",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_9135b",
                    table="cases_caseholding",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="caseholding",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "cases_caseholdinghistory" ("agency_id", "case_id", "ended_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "started_at", "transfer_id") VALUES (OLD."agency_id", OLD."case_id", OLD."ended_at", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."started_at", OLD."transfer_id"); RETURN NULL;',
                    hash="369ea38e716691d1848d5b0f1d5958262c4fd90b",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_27657",
                    table="cases_caseholding",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="casetransferhistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="b533fb8eb4de24a23a41164d7502359273ac2d9f",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_4b77e",
                    table="cases_casetransferhistory",
                    when="BEFORE",
                ),
            ),
        ),
        # Every case's holding history starts with its owning service, from the case's opening (started_at null).
        migrations.RunSQL(
            "INSERT INTO cases_caseholding (case_id, agency_id, started_at, ended_at)"
            " SELECT id, owning_yjs_id, NULL, NULL FROM cases_case",
            reverse_sql=migrations.RunSQL.noop,
        ),
        # ... and so does every case made from now on, however its row is written (the services, the factories,
        # the scale generator's bulk load): the first spell is the case's own from its first moment.
        migrations.RunSQL(
            FIRST_HOLDING_TRIGGER,
            reverse_sql="DROP TRIGGER IF EXISTS ecm_case_first_holding ON cases_case;"
            " DROP FUNCTION IF EXISTS ecm_case_first_holding();",
        ),
    ]
