"""billing tells the packages above of spending through ``signals.spent``, sent inside the
charging transaction, and never imports them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from clipia_console.billing import credits, signals, spending
from clipia_console.generations.models import Generation
from tests.support import FAST, MakeKey, bearer, generate

pytestmark = pytest.mark.usefixtures("catalog")
Receiver = Callable[..., None]


@pytest.fixture
def listen() -> Iterator[Callable[[Receiver], None]]:
    connected: list[Receiver] = []

    def connect(receiver: Receiver) -> None:
        signals.spent.connect(receiver)
        connected.append(receiver)

    yield connect
    for receiver in connected:
        signals.spent.disconnect(receiver)


def test_a_kept_claim_is_announced_with_what_it_spent(
    alice: User, make_key: MakeKey, listen: Callable[[Receiver], None]
) -> None:
    credits.grant(alice, 100, reason="test funds")
    key, raw = make_key(alice, "live")
    heard: list[tuple[int, spending.Spent]] = []
    listen(lambda sender, *, api_key, spent, **kwargs: heard.append((api_key.pk, spent)))

    response = generate(raw, FAST)

    assert response.status_code == 201
    assert [(pk, spent.before, spent.after) for pk, spent in heard] == [(key.pk, 0, 5)]


def test_a_receiver_that_fails_rolls_the_charge_back(
    alice: User, make_key: MakeKey, listen: Callable[[Receiver], None]
) -> None:
    credits.grant(alice, 100, reason="test funds")
    _, raw = make_key(alice, "live")

    def fails(sender: Any, **kwargs: Any) -> None:
        raise RuntimeError("inside the charging transaction")

    listen(fails)
    with pytest.raises(RuntimeError):
        generate(raw, FAST)

    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 100
    assert not Generation.objects.exists()


def test_a_sandbox_failure_gives_its_claim_back_and_announces_nothing(
    alice: User, make_key: MakeKey, listen: Callable[[Receiver], None]
) -> None:
    _, raw = make_key(alice, "test")
    heard: list[object] = []
    listen(lambda sender, **kwargs: heard.append(kwargs))

    response = Client().post(
        f"/v1/models/{FAST}",
        data={"prompt": "clipia-sandbox:fail"},
        content_type="application/json",
        **bearer(raw),
    )

    assert response.status_code == 201 and heard == []
