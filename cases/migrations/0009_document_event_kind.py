# The chronology gains the kind "Document" (case_documents, issue 17): choices only, no SQL.

import django.contrib.postgres.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_transfers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("referral", "Referral"),
                    ("triage", "Triage"),
                    ("contact", "Contact"),
                    ("consultation", "Consultation"),
                    ("network", "Network change"),
                    ("case_holder", "Case holder change"),
                    ("meeting", "Meeting"),
                    ("stage", "TRM stage"),
                    ("outcomes", "THRIVE grouping or goals"),
                    ("formulation", "Formulation report"),
                    ("review", "Review"),
                    ("action", "Recommendation or action"),
                    ("status", "Case opened, closed or reopened"),
                    ("document", "Document"),
                    ("other", "Other"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="caseeventhistory",
            name="kind",
            field=models.CharField(
                choices=[
                    ("referral", "Referral"),
                    ("triage", "Triage"),
                    ("contact", "Contact"),
                    ("consultation", "Consultation"),
                    ("network", "Network change"),
                    ("case_holder", "Case holder change"),
                    ("meeting", "Meeting"),
                    ("stage", "TRM stage"),
                    ("outcomes", "THRIVE grouping or goals"),
                    ("formulation", "Formulation report"),
                    ("review", "Review"),
                    ("action", "Recommendation or action"),
                    ("status", "Case opened, closed or reopened"),
                    ("document", "Document"),
                    ("other", "Other"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="chronologydocument",
            name="kinds",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("referral", "Referral"),
                        ("triage", "Triage"),
                        ("contact", "Contact"),
                        ("consultation", "Consultation"),
                        ("network", "Network change"),
                        ("case_holder", "Case holder change"),
                        ("meeting", "Meeting"),
                        ("stage", "TRM stage"),
                        ("outcomes", "THRIVE grouping or goals"),
                        ("formulation", "Formulation report"),
                        ("review", "Review"),
                        ("action", "Recommendation or action"),
                        ("status", "Case opened, closed or reopened"),
                        ("document", "Document"),
                        ("other", "Other"),
                    ],
                    max_length=20,
                ),
                blank=True,
                default=list,
                size=None,
            ),
        ),
        migrations.AlterField(
            model_name="chronologydocumenthistory",
            name="kinds",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        ("referral", "Referral"),
                        ("triage", "Triage"),
                        ("contact", "Contact"),
                        ("consultation", "Consultation"),
                        ("network", "Network change"),
                        ("case_holder", "Case holder change"),
                        ("meeting", "Meeting"),
                        ("stage", "TRM stage"),
                        ("outcomes", "THRIVE grouping or goals"),
                        ("formulation", "Formulation report"),
                        ("review", "Review"),
                        ("action", "Recommendation or action"),
                        ("status", "Case opened, closed or reopened"),
                        ("document", "Document"),
                        ("other", "Other"),
                    ],
                    max_length=20,
                ),
                blank=True,
                default=list,
                size=None,
            ),
        ),
    ]
