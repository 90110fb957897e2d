from django.conf import settings
from django.db import migrations, models

from core.db import drop_column_index


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_document_checksum"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                drop_column_index(
                    "reporting_summarydocument_requested_by_id_dfd7fa23", "reporting_summarydocument", "requested_by_id"
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="summarydocument",
                    name="requested_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
