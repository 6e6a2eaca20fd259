"""Account and LedgerEntry now belong to the billing app (see its 0001 migration): drop
them from this app's state only; their tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0003_idempotency_record"),
        ("billing", "0001_move_credits_from_api"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LedgerEntry"),
                migrations.DeleteModel(name="Account"),
            ],
            database_operations=[],
        ),
    ]
