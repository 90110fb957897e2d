"""Commissioning moves to accounts (the access module reads it to decide which services a
commissioner may report on), step 2 of 3: the tables are renamed with their rows, the history
triggers installed again under accounts' names, and the content types moved, so permissions and
history stay attached. reporting 0003 dropped the old triggers; reporting 0004 forgets the models.
"""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

RENAMES = [
    ("reporting_commissioning", "accounts_commissioning"),
    ("reporting_commissioninghistory", "accounts_commissioninghistory"),
]


def rename_sql(pairs: list[tuple[str, str]]) -> list[str]:
    return [f'ALTER TABLE "{old}" RENAME TO "{new}"' for old, new in pairs]


def content_types_move(from_app: str, to_app: str, permission_model: str, permission_from: str):
    """Move the models' content types (their permissions and history follow), and keep the permission
    to read aggregate reports in reporting, on `permission_model`."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        for model in ("commissioning", "commissioninghistory"):
            if ContentType.objects.filter(app_label=to_app, model=model).exists():
                continue  # made by a post_migrate in between: leave both, the old one is stale
            ContentType.objects.filter(app_label=from_app, model=model).update(app_label=to_app)
        # After the move the permission hangs on `permission_from`'s content type.
        old = Permission.objects.filter(
            codename="read_aggregate_reports",
            content_type__app_label=permission_from.split(".")[0],
            content_type__model=permission_from.split(".")[1],
        ).first()
        if old is None:  # a new database: post_migrate makes the permissions after migrating
            return
        target_type, _ = ContentType.objects.get_or_create(
            app_label=permission_model.split(".")[0], model=permission_model.split(".")[1]
        )
        existing = Permission.objects.filter(content_type=target_type, codename="read_aggregate_reports").first()
        if existing is None:
            old.content_type = target_type
            old.save(update_fields=["content_type"])
            return
        for group in old.group_set.all():
            group.permissions.add(existing)
        for user in old.user_set.all():
            user.user_permissions.add(existing)
        old.delete()

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_admin_roles_user_history_partner_mfa"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("reporting", "0003_commissioning_leaves"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=rename_sql(RENAMES),
                    reverse_sql=rename_sql([(new, old) for old, new in RENAMES]),
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Commissioning",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "commissioner_agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commissions",
                                to="accounts.agency",
                            ),
                        ),
                        (
                            "yjs",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="commissioned_by",
                                to="accounts.agency",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["commissioner_agency", "yjs"],
                    },
                ),
                migrations.CreateModel(
                    name="CommissioningHistory",
                    fields=[
                        ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                        ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                        ("pgh_label", models.TextField(help_text="The event label.")),
                        ("id", models.BigIntegerField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "commissioner_agency",
                            models.ForeignKey(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                related_query_name="+",
                                to="accounts.agency",
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
                                to="accounts.commissioning",
                            ),
                        ),
                        (
                            "yjs",
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
                migrations.AddConstraint(
                    model_name="commissioning",
                    constraint=models.UniqueConstraint(
                        fields=("commissioner_agency", "yjs"), name="commissioning_unique"
                    ),
                ),
            ],
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="commissioning",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_commissioninghistory" ("commissioner_agency_id", "created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "yjs_id") VALUES (NEW."commissioner_agency_id", NEW."created_at", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."yjs_id"); RETURN NULL;',
                    hash="c1f436fa9ea42100c95b97361aa2b0c1bbdd0118",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_17077",
                    table="accounts_commissioning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="commissioning",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "accounts_commissioninghistory" ("commissioner_agency_id", "created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "yjs_id") VALUES (NEW."commissioner_agency_id", NEW."created_at", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."yjs_id"); RETURN NULL;',
                    hash="54a6c05e9df4fde7222effaa4199fbb615f66e4c",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_a068b",
                    table="accounts_commissioning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="commissioning",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_commissioninghistory" ("commissioner_agency_id", "created_at", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "yjs_id") VALUES (OLD."commissioner_agency_id", OLD."created_at", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."yjs_id"); RETURN NULL;',
                    hash="5feddc863fbacd39888cb34bb5c488350aa2076a",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_3dfde",
                    table="accounts_commissioning",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="commissioninghistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="7d2f239ee64c1a29a947c3676703a76f215c8773",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_9d326",
                    table="accounts_commissioninghistory",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(
            content_types_move("reporting", "accounts", "reporting.summarydocument", "accounts.commissioning"),
            content_types_move("accounts", "reporting", "reporting.commissioning", "reporting.summarydocument"),
        ),
    ]
