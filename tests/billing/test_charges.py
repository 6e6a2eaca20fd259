"""billing charges and refunds anything shaped like a ``charges.Charge``, not only a
``Generation``: money reads what the protocol names and nothing else."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.charges import Charge
from clipia_console.billing.models import LedgerEntry, UsageDay
from clipia_console.generations.models import Generation
from tests.support import FAST

pytestmark = pytest.mark.usefixtures("catalog")


@dataclass(frozen=True)
class PlainCharge:
    pk: uuid.UUID
    owner_id: int
    api_key_id: int | None
    model_id: str
    environment: str
    cost: int
    created_at: datetime
    budget_window_start: datetime | None


def test_a_plain_charge_is_charged_and_refunded_once(
    alice: User, live_key: tuple[ApiKey, str]
) -> None:
    key, _ = live_key
    credits.grant(alice, 30, reason="test funds")
    created_at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    row = Generation.objects.create(
        owner=alice, api_key=key, environment="live", model_id=FAST, prompt="x", cost=5
    )
    charge: Charge = PlainCharge(row.pk, alice.pk, key.pk, FAST, "live", 5, created_at, None)

    credits.charge(charge)
    assert credits.refund(charge) is True
    assert credits.refund(charge) is False

    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 30
    kinds = LedgerEntry.objects.filter(generation_id=row.pk).values_list("kind", "amount")
    assert sorted(kinds) == [("charge", -5), ("refund", 5)]
    assert UsageDay.objects.get(api_key=key).credits == -5  # the refund's share of usage
