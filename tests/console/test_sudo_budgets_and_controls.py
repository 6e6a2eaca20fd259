"""Confirm it is you for a key's budget and controls: raising a budget or widening a key's
controls asks for the password again after 15 minutes (also behind htmx); tightening,
narrowing or a first budget never asks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey
from clipia_console.accounts import sudo
from tests.console.helpers import HTMX, KEYS_URL, asks_for_the_password, hidden_fields, text_of
from tests.support import PASSWORD, budget


def budget_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/budget/"


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(("credits", "period"), [("200", "month"), ("", "month"), ("100", "day")])
def test_raising_a_budget_asks_for_the_password(
    console: Client, test_key: tuple[ApiKey, str], credits: str, period: str
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    asked = console.post(budget_url(row), {"budget_credits": credits, "budget_period": period})

    assert asks_for_the_password(asked)
    assert "raise this key's budget" in text_of(asked)
    assert sorted(hidden_fields(asked)) == [("budget_credits", credits), ("budget_period", period)]
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (100, "month")

    confirmed = console.post(
        budget_url(row),
        {"budget_credits": credits, "budget_period": period, sudo.PASSWORD_FIELD: PASSWORD},
    )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{KEYS_URL}{row.pk}/"
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (int(credits) if credits else None, period)


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(("credits", "period"), [("50", "month"), ("100", "total")])
def test_tightening_a_budget_never_asks(
    console: Client, test_key: tuple[ApiKey, str], credits: str, period: str
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    response = console.post(budget_url(row), {"budget_credits": credits, "budget_period": period})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (int(credits), period)


@pytest.mark.usefixtures("later")
def test_a_first_budget_never_asks(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.post(budget_url(row), {"budget_credits": "10", "budget_period": "day"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.budget_credits == 10


@pytest.mark.usefixtures("later")
def test_an_htmx_budget_raise_is_confirmed_in_place_of_the_page(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    response = console.post(
        budget_url(row), {"budget_credits": "500", "budget_period": "month"}, headers=HTMX
    )

    assert response["HX-Retarget"] == "#main"
    assert asks_for_the_password(response)
    row.refresh_from_db()
    assert row.budget_credits == 100


def setting_url(api_key: ApiKey, setting: str) -> str:
    return f"{KEYS_URL}{api_key.pk}/{setting}/"


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(
    ("setting", "before", "data", "action"),
    [
        ("resume", "paused", {}, "resume this key's spending"),
        ("models", ["clipia/motion-v1-fast"], {"all_models": "on"}, "use more models"),
        (
            "models",
            ["clipia/motion-v1-fast"],
            {"models": ["clipia/motion-v1-fast", "clipia/motion-v1"]},
            "use more models",
        ),
        ("addresses", ["203.0.113.7/32"], {"allowed_ips": ""}, "used from more addresses"),
    ],
)
def test_widening_a_keys_controls_asks_for_the_password(
    console: Client,
    test_key: tuple[ApiKey, str],
    setting: str,
    before: Any,
    data: dict[str, Any],
    action: str,
) -> None:
    row, _ = test_key
    fields = {
        "resume": {"paused_at": timezone.now()},
        "models": {"allowed_models": before},
        "addresses": {"allowed_ips": before},
    }[setting]
    ApiKey.objects.filter(pk=row.pk).update(**fields)

    asked = console.post(setting_url(row, setting), data)

    assert asks_for_the_password(asked)
    assert action in text_of(asked)
    assert ApiKey.objects.filter(pk=row.pk, **fields).exists()  # unchanged

    confirmed = console.post(setting_url(row, setting), {**data, sudo.PASSWORD_FIELD: PASSWORD})

    assert confirmed.status_code == 302
    assert not ApiKey.objects.filter(pk=row.pk, **fields).exists()


@pytest.mark.usefixtures("later", "catalog")
@pytest.mark.parametrize(
    ("setting", "data"),
    [
        ("pause", {}),
        ("models", {"models": ["clipia/motion-v1"]}),
        ("addresses", {"allowed_ips": "203.0.113.7"}),
    ],
)
def test_narrowing_a_keys_controls_never_asks(
    console: Client, test_key: tuple[ApiKey, str], setting: str, data: dict[str, Any]
) -> None:
    row, _ = test_key

    response = console.post(setting_url(row, setting), data)

    assert response.status_code == 302
