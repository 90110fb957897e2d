"""Commissioning moves to accounts (the access module reads it), step 1 of 3: its history triggers
are dropped here (accounts 0003 renames the tables and installs them again under accounts' names),
and the permission to read aggregate reports, declared on Commissioning until now, is declared on
SummaryDocument so it stays `reporting.read_aggregate_reports`.
"""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_document_claimed_at"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="commissioning", name="insert_insert"),
        pgtrigger.migrations.RemoveTrigger(model_name="commissioning", name="update_update"),
        pgtrigger.migrations.RemoveTrigger(model_name="commissioning", name="delete_delete"),
        pgtrigger.migrations.RemoveTrigger(model_name="commissioninghistory", name="append_only"),
        migrations.AlterModelOptions(name="commissioning", options={"ordering": ["commissioner_agency", "yjs"]}),
        migrations.AlterModelOptions(
            name="summarydocument",
            options={
                "ordering": ["-requested_at", "-pk"],
                "permissions": [("read_aggregate_reports", "Read aggregate reports of the services in scope")],
            },
        ),
    ]
