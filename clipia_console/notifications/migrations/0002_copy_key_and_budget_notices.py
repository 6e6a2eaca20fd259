"""Every KeyNotice (apikeys) and BudgetNotice (billing) row becomes a Notice, already
sent: the old rules sent (or gave up on) a notice when its row was written. The old
tables are dropped by the apikeys and billing migrations this one runs before."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 1000


def copy_old_notices(apps: Any, schema_editor: Any) -> None:
    notice = apps.get_model("notifications", "Notice")
    for old in apps.get_model("apikeys", "KeyNotice").objects.order_by("pk").iterator(BATCH):
        notice.objects.create(
            api_key_id=old.api_key_id,
            kind=old.kind,
            about=old.about,
            created_at=old.created_at,
            sent_at=old.created_at,
        )
    for old in apps.get_model("billing", "BudgetNotice").objects.order_by("pk").iterator(BATCH):
        notice.objects.create(
            api_key_id=old.api_key_id,
            kind=f"budget_{old.percent}",
            about=old.window_start,
            created_at=old.sent_at,
            sent_at=old.sent_at,
        )


def copy_back(apps: Any, schema_editor: Any) -> None:
    key_notice = apps.get_model("apikeys", "KeyNotice")
    budget_notice = apps.get_model("billing", "BudgetNotice")
    for row in apps.get_model("notifications", "Notice").objects.order_by("pk").iterator(BATCH):
        if row.kind.startswith("budget_"):
            budget_notice.objects.create(
                api_key_id=row.api_key_id,
                window_start=row.about,
                percent=int(row.kind.removeprefix("budget_")),
                sent_at=row.sent_at or row.created_at,
            )
        else:
            key_notice.objects.create(
                api_key_id=row.api_key_id, kind=row.kind, about=row.about, created_at=row.created_at
            )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notices")]
    run_before = [
        ("apikeys", "0010_delete_keynotice"),
        ("billing", "0004_delete_budgetnotice"),
    ]

    operations = [migrations.RunPython(copy_old_notices, copy_back)]
