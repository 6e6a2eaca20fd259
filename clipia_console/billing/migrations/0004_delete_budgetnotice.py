# BudgetNotice's rows were copied to notifications.Notice (its 0002 runs before this).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_ledger_generation_moved'),
    ]

    operations = [
        migrations.DeleteModel(
            name='BudgetNotice',
        ),
    ]
