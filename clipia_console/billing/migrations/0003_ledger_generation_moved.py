"""The ledger's generation now points at generations.Generation: the same table
(api_generation), so only Django's state changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_usage_days_and_budget_notices"),
        ("generations", "0001_move_from_api"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="generation",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ledger",
                        to="generations.generation",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
