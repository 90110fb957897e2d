"""Consent over time (issue 17): the case's consent history, and the referral's consent as its first records.

The backfill carries the referral's answers over as they were: the child's and the parent's or carer's consent
(given or refused) each become one record, dated the day the referral said, by the referrer, "not recorded" as
to how. Sharing the summary with the network is among what was given only when the referral said consent
covered it; a refusal at referral is recorded for ECM's work only, so that no existing share stops on migrating
(withdrawing consent to share, from now on, does stop it).
"""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


def referral_consent_backfill(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ConsentRecord = apps.get_model("referrals", "ConsentRecord")
    records = []
    for referral in Referral.objects.filter(case__isnull=False).order_by("pk").iterator():
        at = referral.submitted_at or referral.created_at
        on = referral.consent_date or django.utils.timezone.localdate(at)
        for answer, who in ((referral.child_consent, "child"), (referral.carer_consent, "parent_carer")):
            if answer not in ("given", "refused"):
                continue
            purposes = ["ecm_work"]
            if answer == "given" and referral.consent_covers_sharing:
                purposes.append("share_summary")
            records.append(
                ConsentRecord(
                    case_id=referral.case_id,
                    kind=answer,
                    purposes=purposes,
                    given_by=who,
                    given_by_name=referral.consent_given_by[:200],
                    method="not_recorded",
                    on=on,
                    recorded_by_id=referral.referrer_id,
                    recorded_at=at,
                    referral_id=referral.pk,
                )
            )
    ConsentRecord.objects.bulk_create(records, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_no_redundant_indexes"), ("cases", "0008_transfers")]

    operations = [
        migrations.CreateModel(
            name="ConsentRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("given", "Consent given"),
                            ("refused", "Consent refused"),
                            ("withdrawn", "Consent withdrawn"),
                            ("lawful_basis", "Lawful basis to continue sharing"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "purposes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(
                            choices=[
                                ("share_summary", "Sharing the case summary with the child's professional network"),
                                ("ecm_work", "ECM's work with the child (consultation, formulation and reviews)"),
                                ("ask_agencies", "Asking other agencies for information about the child"),
                            ],
                            max_length=20,
                        ),
                        default=list,
                        size=None,
                    ),
                ),
                (
                    "given_by",
                    models.CharField(
                        blank=True,
                        choices=[("child", "The child"), ("parent_carer", "A parent or carer")],
                        max_length=20,
                    ),
                ),
                ("given_by_name", models.CharField(blank=True, max_length=200, verbose_name="Their name")),
                (
                    "method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("verbal", "Verbally (in person or by phone)"),
                            ("written", "In writing (a letter, an email or a message)"),
                            ("signed_form", "On a signed consent form"),
                            ("not_recorded", "Not recorded (from the referral)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("on", models.DateField(verbose_name="The date")),
                (
                    "basis",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("safeguarding_child", "Safeguarding: the child is at risk of significant harm"),
                            ("safeguarding_others", "Safeguarding: someone else is at risk of serious harm"),
                        ],
                        max_length=30,
                    ),
                ),
                ("explanation", models.TextField(blank=True)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="consent_records",
                        to="cases.case",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="referrals.referral",
                    ),
                ),
            ],
            options={
                "ordering": ["recorded_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ConsentRecordHistory",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("id", models.BigIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("given", "Consent given"),
                            ("refused", "Consent refused"),
                            ("withdrawn", "Consent withdrawn"),
                            ("lawful_basis", "Lawful basis to continue sharing"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "purposes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(
                            choices=[
                                ("share_summary", "Sharing the case summary with the child's professional network"),
                                ("ecm_work", "ECM's work with the child (consultation, formulation and reviews)"),
                                ("ask_agencies", "Asking other agencies for information about the child"),
                            ],
                            max_length=20,
                        ),
                        default=list,
                        size=None,
                    ),
                ),
                (
                    "given_by",
                    models.CharField(
                        blank=True,
                        choices=[("child", "The child"), ("parent_carer", "A parent or carer")],
                        max_length=20,
                    ),
                ),
                ("given_by_name", models.CharField(blank=True, max_length=200, verbose_name="Their name")),
                (
                    "method",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("verbal", "Verbally (in person or by phone)"),
                            ("written", "In writing (a letter, an email or a message)"),
                            ("signed_form", "On a signed consent form"),
                            ("not_recorded", "Not recorded (from the referral)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("on", models.DateField(verbose_name="The date")),
                (
                    "basis",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("safeguarding_child", "Safeguarding: the child is at risk of significant harm"),
                            ("safeguarding_others", "Safeguarding: someone else is at risk of serious harm"),
                        ],
                        max_length=30,
                    ),
                ),
                ("explanation", models.TextField(blank=True)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
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
                        to="referrals.consentrecord",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="referrals.referral",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="consentrecord",
            index=models.Index(fields=["case", "-recorded_at", "-id"], name="consent_record_latest"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="consentrecord",
            trigger=pgtrigger.compiler.Trigger(
                name="insert_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "referrals_consentrecordhistory" ("basis", "case_id", "explanation", "given_by", "given_by_name", "id", "kind", "method", "on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purposes", "recorded_at", "recorded_by_id", "referral_id") VALUES (NEW."basis", NEW."case_id", NEW."explanation", NEW."given_by", NEW."given_by_name", NEW."id", NEW."kind", NEW."method", NEW."on", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."purposes", NEW."recorded_at", NEW."recorded_by_id", NEW."referral_id"); RETURN NULL;',
                    hash="5b3065d4351117eb16bf8ced84bd06d5f710a628",
                    operation="INSERT",
                    pgid="pgtrigger_insert_insert_953dd",
                    table="referrals_consentrecord",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="consentrecord",
            trigger=pgtrigger.compiler.Trigger(
                name="update_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition="WHEN (OLD.* IS DISTINCT FROM NEW.*)",
                    func='INSERT INTO "referrals_consentrecordhistory" ("basis", "case_id", "explanation", "given_by", "given_by_name", "id", "kind", "method", "on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purposes", "recorded_at", "recorded_by_id", "referral_id") VALUES (NEW."basis", NEW."case_id", NEW."explanation", NEW."given_by", NEW."given_by_name", NEW."id", NEW."kind", NEW."method", NEW."on", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."purposes", NEW."recorded_at", NEW."recorded_by_id", NEW."referral_id"); RETURN NULL;',
                    hash="5e8bfb0be373560484d6e4a0b739d43709d58fe8",
                    operation="UPDATE",
                    pgid="pgtrigger_update_update_e173a",
                    table="referrals_consentrecord",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="consentrecord",
            trigger=pgtrigger.compiler.Trigger(
                name="delete_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func='INSERT INTO "referrals_consentrecordhistory" ("basis", "case_id", "explanation", "given_by", "given_by_name", "id", "kind", "method", "on", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "purposes", "recorded_at", "recorded_by_id", "referral_id") VALUES (OLD."basis", OLD."case_id", OLD."explanation", OLD."given_by", OLD."given_by_name", OLD."id", OLD."kind", OLD."method", OLD."on", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."purposes", OLD."recorded_at", OLD."recorded_by_id", OLD."referral_id"); RETURN NULL;',
                    hash="9cf2243adc1b0afa0f61fbca6610d0ecd5d5ffc6",
                    operation="DELETE",
                    pgid="pgtrigger_delete_delete_4e0a8",
                    table="referrals_consentrecord",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="consentrecordhistory",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;",
                    hash="ef7559134681c483b37f88d60890635ae451a36e",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_d36cf",
                    table="referrals_consentrecordhistory",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(referral_consent_backfill, migrations.RunPython.noop),
    ]
