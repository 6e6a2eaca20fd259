"""GET /v1/key (the calling key, its budget) and GET /v1/usage (a known history, bad days
refused, the read scope needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys import controls
from apikeys.models import ApiKey
from clipia_console.generations import services as generations
from tests.support import FAST, MOTION, STAFF_COMMAND, MakeKey, bearer, budget, generate, set_clock

pytestmark = pytest.mark.usefixtures("catalog")


def test_v1_key_describes_the_calling_key(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = make_key(rich, "live", scopes=("generate",))
    budget(key, 50, "week")
    controls.set_allowed_models(key, [MOTION], actor=STAFF_COMMAND)
    set_clock(monkeypatch, datetime(2026, 3, 4, 10, tzinfo=UTC))  # a Wednesday
    generate(raw)

    data = Client().get("/v1/key", **bearer(raw)).json()

    assert data["prefix"] == key.display_prefix
    assert data["environment"] == "live"
    assert data["scopes"] == ["generate"]
    assert data["paused"] is False
    assert data["allowed_models"] == [MOTION]
    assert data["expires_at"] is None
    assert data["budget"] == {
        "limit": 50,
        "period": "week",
        "spent": 20,
        "remaining": 30,
        "resets_at": "2026-03-09T00:00:00Z",
    }


def test_v1_key_without_budget_has_nulls(test_key: tuple[ApiKey, str]) -> None:
    _, raw = test_key
    data = Client().get("/v1/key", **bearer(raw)).json()
    assert data["budget"] == dict.fromkeys(("limit", "period", "spent", "remaining", "resets_at"))
    assert data["allowed_models"] is None


def test_v1_usage_reports_a_known_history(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, first_raw = make_key(rich, "live", name="first")
    second, second_raw = make_key(rich, "live", name="second")
    _, test_raw = make_key(rich, "test", name="sandbox")
    set_clock(monkeypatch, datetime(2026, 3, 3, 9, tzinfo=UTC))
    generate(first_raw)
    generate(first_raw)
    failed = generate(first_raw, FAST).json()["id"]
    generations.fail(failed, "renderer crashed")
    set_clock(monkeypatch, datetime(2026, 3, 4, 9, tzinfo=UTC))
    generate(second_raw, FAST)
    generate(test_raw)

    response = Client().get("/v1/usage?days=2", **bearer(first_raw))

    assert response.status_code == 200
    assert response.json()["environment"] == "live"
    assert response.json()["data"] == [
        {
            "date": "2026-03-03",
            "key": first.display_prefix,
            "model": MOTION,
            "generations": 2,
            "credits": 40,
        },
        {
            "date": "2026-03-03",
            "key": first.display_prefix,
            "model": FAST,
            "generations": 1,
            "credits": 0,
        },
        {
            "date": "2026-03-04",
            "key": second.display_prefix,
            "model": FAST,
            "generations": 1,
            "credits": 5,
        },
    ]
    one_day = Client().get("/v1/usage?days=1", **bearer(first_raw)).json()["data"]
    assert [row["date"] for row in one_day] == ["2026-03-04"]
    assert date(2026, 3, 4).isoformat() == one_day[0]["date"]


@pytest.mark.parametrize("days", ["0", "91", "x", "1.5", "٣"])
def test_v1_usage_refuses_bad_days(test_key: tuple[ApiKey, str], days: str) -> None:
    _, raw = test_key
    response = Client().get("/v1/usage", {"days": days}, **bearer(raw))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_v1_usage_needs_the_read_scope(alice: User, make_key: MakeKey) -> None:
    _, raw = make_key(alice, "test", scopes=("generate",))
    response = Client().get("/v1/usage", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
