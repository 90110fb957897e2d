"""Commissioning moves to accounts, step 3 of 3: reporting forgets the models. The tables, now
accounts_commissioning and accounts_commissioninghistory, were renamed by accounts 0003, rows kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_commissioning_leaves"),
        ("accounts", "0003_commissioning"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="commissioninghistory", name="pgh_obj"),
                migrations.RemoveField(model_name="commissioninghistory", name="commissioner_agency"),
                migrations.RemoveField(model_name="commissioninghistory", name="pgh_context"),
                migrations.RemoveField(model_name="commissioninghistory", name="yjs"),
                migrations.DeleteModel(name="Commissioning"),
                migrations.DeleteModel(name="CommissioningHistory"),
            ],
            database_operations=[],
        ),
    ]
