"""The purgeidempotencykeys command: api owns its Idempotency-Key store, and so the
command that keeps it from growing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey
from clipia_console.api.models import IdempotencyRecord
from tests.support import bearer


def test_purgeidempotencykeys_drops_stored_answers_past_retention(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    def post(idempotency_key: str) -> Any:
        return api.post(
            "/v1/models/clipia/motion-v1",
            data='{"prompt": "a kite"}',
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=idempotency_key,
            **bearer(test_key[1]),
        )

    post("old")
    post("recent")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )

    call_command("purgeidempotencykeys", stdout=StringIO())

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    assert IdempotencyRecord.objects.get().response_body  # the recent answer still replays
    assert post("recent")["Idempotent-Replayed"] == "true"
