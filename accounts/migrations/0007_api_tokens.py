# The API tokens (issue 19): accounts/api_tokens.py. Only the SHA-256 of a token is stored.

import django.contrib.postgres.fields
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_access_event_case_ids"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(help_text="What the token is for, e.g. the system that uses it", max_length=100),
                ),
                ("key_id", models.CharField(max_length=24, unique=True)),
                ("secret_hash", models.CharField(max_length=64)),
                (
                    "scopes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(choices=[("read", "Read"), ("write", "Write")], max_length=10),
                        size=2,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="api_tokens", to="accounts.agency"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_tokens_created",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_tokens_revoked",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ApiTokenHistory",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "name",
                    models.CharField(help_text="What the token is for, e.g. the system that uses it", max_length=100),
                ),
                ("key_id", models.CharField(max_length=24)),
                (
                    "scopes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(choices=[("read", "Read"), ("write", "Write")], max_length=10),
                        size=2,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
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
                    "created_by",
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
                        to="accounts.apitoken",
                    ),
                ),
                (
                    "revoked_by",
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
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(("scopes__len__gte", 1)), name="api_token_has_a_scope"
            ),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=models.Q(("revoked_at__isnull", True), ("revoked_by__isnull", False), _connector="OR"),
                name="api_token_revoked_by_someone",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="apitoken",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_apitokenhistory" ("agency_id", "created_at", "created_by_id", "expires_at", "id", "key_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "revoked_at", "revoked_by_id", "scopes", "user_id") VALUES (NEW."agency_id", NEW."created_at", NEW."created_by_id", NEW."expires_at", NEW."id", NEW."key_id", NEW."name", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."revoked_at", NEW."revoked_by_id", NEW."scopes", NEW."user_id"); RETURN NULL;',
                    hash="ee7042630a610e1aa1d130131ad4186b8b965283",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_01b7d",
                    table="accounts_apitoken",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="apitoken",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN (OLD."agency_id" IS DISTINCT FROM (NEW."agency_id") OR OLD."created_at" IS DISTINCT FROM (NEW."created_at") OR OLD."created_by_id" IS DISTINCT FROM (NEW."created_by_id") OR OLD."expires_at" IS DISTINCT FROM (NEW."expires_at") OR OLD."id" IS DISTINCT FROM (NEW."id") OR OLD."key_id" IS DISTINCT FROM (NEW."key_id") OR OLD."name" IS DISTINCT FROM (NEW."name") OR OLD."revoked_at" IS DISTINCT FROM (NEW."revoked_at") OR OLD."revoked_by_id" IS DISTINCT FROM (NEW."revoked_by_id") OR OLD."scopes" IS DISTINCT FROM (NEW."scopes") OR OLD."user_id" IS DISTINCT FROM (NEW."user_id"))',
                    func='INSERT INTO "accounts_apitokenhistory" ("agency_id", "created_at", "created_by_id", "expires_at", "id", "key_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "revoked_at", "revoked_by_id", "scopes", "user_id") VALUES (NEW."agency_id", NEW."created_at", NEW."created_by_id", NEW."expires_at", NEW."id", NEW."key_id", NEW."name", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."revoked_at", NEW."revoked_by_id", NEW."scopes", NEW."user_id"); RETURN NULL;',
                    hash="c2c1ba190a8e8d81da99a9b957ad711c11f5280d",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_df53b",
                    table="accounts_apitoken",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="apitoken",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "accounts_apitokenhistory" ("agency_id", "created_at", "created_by_id", "expires_at", "id", "key_id", "name", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "revoked_at", "revoked_by_id", "scopes", "user_id") VALUES (OLD."agency_id", OLD."created_at", OLD."created_by_id", OLD."expires_at", OLD."id", OLD."key_id", OLD."name", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."revoked_at", OLD."revoked_by_id", OLD."scopes", OLD."user_id"); RETURN NULL;',
                    hash="e2abf400f8760702cb185968c6c11e0048996433",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_6e065",
                    table="accounts_apitoken",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="apitokenhistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="a069c11dd88a2496758c9058a45d53fa16851b96",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_af806",
                    table="accounts_apitokenhistory",
                    when="BEFORE",
                ),
            ),
        ),
    ]
