"""Staff change a key's spend controls in the admin, through the same services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import FAST

pytestmark = pytest.mark.usefixtures("catalog")


def spending_page(key: ApiKey) -> str:
    return f"/admin/apikeys/apikey/{key.pk}/spending/"


def test_staff_set_budget_models_addresses_and_pause(
    staff_client: Client, test_key: tuple[ApiKey, str]
) -> None:
    key, _ = test_key
    change_page = staff_client.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert "Change spend controls" in change_page

    response = staff_client.post(
        spending_page(key),
        {
            "budget_credits": "300",
            "budget_period": "day",
            "allowed_models": FAST,
            "allowed_ips": "192.0.2.0/24",
            "paused": "on",
        },
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.budget_credits, key.budget_period) == (300, "day")
    assert key.allowed_models == [FAST]
    assert key.allowed_ips == ["192.0.2.0/24"]
    assert key.paused_at is not None
    events = ApiKeyEvent.objects.filter(api_key=key, actor_kind="staff")
    assert {event.kind for event in events} == {
        "budget_changed", "models_changed", "addresses_changed", "paused"
    }  # fmt: skip


def test_a_bad_value_is_shown_and_nothing_changes(
    staff_client: Client, test_key: tuple[ApiKey, str]
) -> None:
    key, _ = test_key
    response = staff_client.post(
        spending_page(key), {"budget_credits": "", "budget_period": "month", "allowed_ips": "x"}
    )
    assert response.status_code == 200
    assert "is not an IP address or network" in response.content.decode()
    key.refresh_from_db()
    assert key.allowed_ips is None
    assert not ApiKeyEvent.objects.filter(kind="budget_changed").exists()


def test_staff_without_change_permission_cannot_open_it(
    test_key: tuple[ApiKey, str], db: object
) -> None:
    key, _ = test_key
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    client = Client()
    client.force_login(viewer)
    assert client.get(spending_page(key)).status_code == 403
