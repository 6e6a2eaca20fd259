"""The console's key page (budget, models, addresses, pause; usage chart and tables) and
the Usage tab, without JavaScript and through htmx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.billing import credits
from tests.support import FAST, MOTION, MakeKey, budget, generate, set_clock

pytestmark = pytest.mark.usefixtures("catalog")

HTMX = {"HX-Request": "true"}


def page(key: ApiKey) -> str:
    return f"/developer/api-keys/{key.pk}/"


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_the_key_page_shows_budget_chart_and_breakdown(
    alice: User, make_key: MakeKey, console: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    credits.grant(alice, 1000, reason="funds")
    key, raw = make_key(alice, "live", name="render farm")
    budget(key, 100, "month")
    set_clock(monkeypatch, datetime(2026, 3, 10, 12, tzinfo=UTC))
    generate(raw)
    generate(raw, FAST)

    response = console.get(page(key))

    assert response.status_code == 200
    body = text(response)
    assert "render farm" in body
    assert (
        "<strong>25</strong> of 100 credits spent this month; 75 left, resets 2026-04-01 00:00 UTC"
        in body
    )
    assert '<meter class="billing-meter" min="0" max="100"' in body
    assert body.count("<rect ") == 30
    assert "<title>Mar 10: 25 credits</title>" in body
    assert '<th scope="row">2026-03-10</th><td>2</td><td>25</td>' in body
    assert f"<code>{MOTION}</code></th><td>1</td><td>20</td>" in body
    assert "Spent this month</dt><dd>25 credits" in body


def test_someone_elses_key_page_is_not_found(bob: User, make_key: MakeKey, console: Client) -> None:
    key, _ = make_key(bob, "test")
    assert console.get(page(key)).status_code == 404
    assert console.post(page(key) + "pause/").status_code == 404
    key.refresh_from_db()
    assert key.paused_at is None


def test_the_key_page_needs_sign_in(test_key: tuple[ApiKey, str]) -> None:
    key, _ = test_key
    response = Client().get(page(key))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_setting_a_budget_without_javascript(test_key: tuple[ApiKey, str], console: Client) -> None:
    key, _ = test_key

    response = console.post(
        page(key) + "budget/", {"budget_credits": "500", "budget_period": "week"}, follow=True
    )

    assert response.redirect_chain[-1][0] == page(key)
    assert "Budget saved." in text(response)
    assert "<strong>0</strong> of 500 credits spent this week" in text(response)
    key.refresh_from_db()
    assert (key.budget_credits, key.budget_period) == (500, "week")
    event = ApiKeyEvent.objects.get(kind="budget_changed")
    assert event.actor_kind == "owner"
    assert event.client_address == "127.0.0.1"
    assert event.details is not None
    assert event.details["new"] == {"budget_credits": 500, "budget_period": "week"}


def test_a_bad_budget_is_explained_and_changes_nothing(
    test_key: tuple[ApiKey, str], console: Client
) -> None:
    key, _ = test_key
    response = console.post(
        page(key) + "budget/", {"budget_credits": "lots", "budget_period": "day"}
    )
    assert response.status_code == 422
    assert "A budget is a whole number of credits" in text(response)
    key.refresh_from_db()
    assert key.budget_credits is None


def test_htmx_gets_the_settings_partial_back(test_key: tuple[ApiKey, str], console: Client) -> None:
    key, _ = test_key

    response = console.post(page(key) + "models/", {"models": [FAST]}, headers=HTMX)

    assert response.status_code == 200
    body = text(response)
    assert body.startswith('<section class="card billing-card" id="key-settings"')
    assert "Allowed models saved." in body
    key.refresh_from_db()
    assert key.allowed_models == [FAST]


def test_addresses_and_pause_from_the_page(test_key: tuple[ApiKey, str], console: Client) -> None:
    key, raw = test_key
    console.post(page(key) + "addresses/", {"allowed_ips": "203.0.113.0/24\n2001:db8::/48"})
    paused = console.post(page(key) + "pause/", headers=HTMX)

    assert "Resume spending" in text(paused)
    key.refresh_from_db()
    assert key.allowed_ips == ["203.0.113.0/24", "2001:db8::/48"]
    assert key.paused_at is not None

    console.post(page(key) + "resume/")
    key.refresh_from_db()
    assert key.paused_at is None
    kinds = list(ApiKeyEvent.objects.filter(api_key=key).values_list("kind", flat=True))
    assert {"addresses_changed", "paused", "resumed"} <= set(kinds)


def test_a_bad_address_is_refused_with_its_reason(
    test_key: tuple[ApiKey, str], console: Client
) -> None:
    key, _ = test_key
    response = console.post(page(key) + "addresses/", {"allowed_ips": "10.0.0.0/33"}, headers=HTMX)
    assert response.status_code == 422
    assert "is not an IP address or network" in text(response)


def test_the_usage_tab_shows_live_and_test_apart(
    alice: User, make_key: MakeKey, console: Client
) -> None:
    credits.grant(alice, 1000, reason="funds")
    _, live_raw = make_key(alice, "live", name="production")
    _, test_raw = make_key(alice, "test", name="sandbox")
    generate(live_raw)
    generate(test_raw, FAST)
    generate(test_raw, FAST)

    response = console.get("/developer/usage/")

    body = text(response)
    assert response.status_code == 200
    live, test = body.split(">Live</h2>")[1].split(">Test</h2>")
    assert "production" in live and "sandbox" not in live
    assert f"<code>{MOTION}</code></th><td>1</td><td>20</td>" in live
    assert "sandbox" in test and f"<code>{FAST}</code></th><td>2</td><td>10</td>" in test
    assert 'aria-current="page">Usage</a>' in body


def test_the_usage_tab_costs_the_same_whatever_the_history(
    alice: User, make_key: MakeKey, console: Client, django_assert_max_num_queries: Any
) -> None:
    _, raw = make_key(alice, "test")
    for _ in range(5):
        generate(raw)
    with django_assert_max_num_queries(6):
        console.get("/developer/usage/")


def test_a_revoked_keys_page_shows_its_usage_but_no_controls(
    test_key: tuple[ApiKey, str], console: Client
) -> None:
    key, _ = test_key
    services.revoke_key(key, actor=services.Actor.command("tests"))

    body = text(console.get(page(key)))

    assert "This key is revoked; its settings can no longer change." in body
    assert "Save budget" not in body
    refused = console.post(page(key) + "pause/")
    assert refused.status_code == 422
    assert "This key is revoked" in text(refused)


def test_each_row_of_the_key_list_links_to_its_key_page(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key

    html = console.get("/developer/api-keys/").content.decode()

    assert f'href="/developer/api-keys/{row.pk}/"' in html
    assert console.get(f"/developer/api-keys/{row.pk}/").status_code == 200
