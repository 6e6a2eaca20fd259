# KeyNotice's rows were copied to notifications.Notice (its 0002 runs before this).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('apikeys', '0009_event_kind_limit_changed'),
    ]

    operations = [
        migrations.DeleteModel(
            name='KeyNotice',
        ),
    ]
