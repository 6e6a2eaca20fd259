"""VideoModel and Generation now belong to the generations app (see its 0001 migration):
drop them from this app's state only; their tables and rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0005_generation_budget_window_and_dispatch"),
        ("generations", "0001_move_from_api"),
        ("billing", "0003_ledger_generation_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Generation"),
                migrations.DeleteModel(name="VideoModel"),
            ],
            database_operations=[],
        ),
    ]
