"""Pause, the model allowlist and the address allowlist, through /v1: what each refuses, what
still works, and that a refusal is neither remembered nor informative."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from apikeys import controls
from apikeys.exceptions import KeyPaused
from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation
from tests.support import FAST, MOTION, STAFF_COMMAND, MakeKey, bearer, budget, generate

pytestmark = pytest.mark.usefixtures("catalog")


def test_a_paused_key_cannot_generate_but_still_reads(rich: User, make_key: MakeKey) -> None:
    key, raw = make_key(rich, "live")
    generation = generate(raw).json()["id"]
    assert controls.pause(key, actor=STAFF_COMMAND)

    refused = generate(raw)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "key_paused"
    assert Client().get(f"/v1/generations/{generation}", **bearer(raw)).status_code == 200
    assert Client().get("/v1/account", **bearer(raw)).status_code == 200
    assert Client().get("/v1/models", **bearer(raw)).status_code == 200
    assert Generation.objects.count() == 1


def test_a_resumed_key_generates_again(rich: User, make_key: MakeKey) -> None:
    key, raw = make_key(rich, "live")
    controls.pause(key, actor=STAFF_COMMAND)
    assert controls.resume(key, actor=STAFF_COMMAND)
    assert generate(raw).status_code == 201


def test_a_pause_committed_after_authentication_still_stops_the_charge(
    rich: User, make_key: MakeKey
) -> None:
    key, _ = make_key(rich, "live")
    stale = ApiKey.objects.get(pk=key.pk)  # what authentication read, before the pause
    controls.pause(key, actor=STAFF_COMMAND)

    from clipia_console.generations.models import VideoModel

    with pytest.raises(KeyPaused):
        generations.create(
            api_key=stale, model=VideoModel.objects.get(pk=MOTION), prompt="x", params={}
        )
    assert credits.balance_of(rich.pk) == 10_000


def test_a_model_outside_the_keys_list_is_refused_by_name(rich: User, make_key: MakeKey) -> None:
    key, raw = make_key(rich, "live")
    controls.set_allowed_models(key, [FAST], actor=STAFF_COMMAND)

    refused = generate(raw, MOTION)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "model_not_allowed"
    assert MOTION in refused.json()["error"]["message"]
    assert generate(raw, FAST).status_code == 201
    assert Client().get(f"/v1/models/{MOTION}", **bearer(raw)).status_code == 200
    assert credits.balance_of(rich.pk) == 10_000 - 5


@pytest.mark.parametrize(
    ("allowed", "address", "works"),
    [
        (["203.0.113.0/24"], "203.0.113.9", True),
        (["203.0.113.0/24"], "198.51.100.1", False),
        (["2001:db8::/32"], "2001:db8:1::5", True),
        (["2001:db8::/32"], "2001:db9::5", False),
        (["203.0.113.7", "2001:db8::1"], "2001:db8::1", True),
    ],
)
def test_an_address_allowlist_admits_only_its_networks(
    test_key: tuple[ApiKey, str], allowed: list[str], address: str, works: bool
) -> None:
    key, raw = test_key
    controls.set_allowed_ips(key, allowed, actor=STAFF_COMMAND)

    response = Client(REMOTE_ADDR=address).get("/v1/account", **bearer(raw))

    if works:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "ip_not_allowed"
        assert address in response.json()["error"]["message"]


@override_settings(APIKEYS_NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_checked(test_key: tuple[ApiKey, str]) -> None:
    key, raw = test_key
    controls.set_allowed_ips(key, ["198.51.100.0/24"], actor=STAFF_COMMAND)
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    allowed = proxy.get("/v1/account", HTTP_X_FORWARDED_FOR="198.51.100.4", **bearer(raw))
    refused = proxy.get("/v1/account", HTTP_X_FORWARDED_FOR="192.0.2.1", **bearer(raw))

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert "192.0.2.1" in refused.json()["error"]["message"]


def test_an_address_allowlist_costs_no_query(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    key, raw = test_key
    controls.set_allowed_ips(key, ["127.0.0.1"], actor=STAFF_COMMAND)
    Client().get("/v1/account", **bearer(raw))
    with django_assert_num_queries(1):
        assert Client().get("/v1/key", **bearer(raw)).status_code == 200


def test_a_paused_refusal_is_not_remembered_by_its_idempotency_key(
    rich: User, make_key: MakeKey
) -> None:
    key, raw = make_key(rich, "live")
    controls.pause(key, actor=STAFF_COMMAND)
    assert generate(raw, HTTP_IDEMPOTENCY_KEY="job-1").status_code == 403
    controls.resume(key, actor=STAFF_COMMAND)

    retried = generate(raw, HTTP_IDEMPOTENCY_KEY="job-1")

    assert retried.status_code == 201
    assert retried["Clipia-Credits-Charged"] == "20"
    assert generate(raw, HTTP_IDEMPOTENCY_KEY="job-1").json()["id"] == retried.json()["id"]
    assert credits.balance_of(rich.pk) == 10_000 - 20


def test_a_request_from_a_blocked_address_learns_nothing_of_the_key_and_is_no_use(
    test_key: tuple[ApiKey, str],
) -> None:
    """Issue 18: a blocked caller got the key's budget and expiry in Clipia-Key-* headers,
    and the key's "last used from" became the stranger's address."""
    key, raw = test_key
    budget(key, 100, "day")
    controls.set_allowed_ips(key, ["203.0.113.0/24"], actor=STAFF_COMMAND)

    refused = Client(REMOTE_ADDR="198.51.100.1").get("/v1/key", **bearer(raw))

    assert refused.status_code == 403
    assert not [name for name in refused.headers if name.lower().startswith("clipia-key-")]
    key.refresh_from_db()
    assert (key.last_used_at, key.last_used_address) == (None, None)
    assert not key.events.filter(kind="first_used").exists()

    allowed = Client(REMOTE_ADDR="203.0.113.9").get("/v1/key", **bearer(raw))

    assert allowed.status_code == 200
    assert allowed.headers["Clipia-Key-Budget-Limit"] == "100"
    key.refresh_from_db()
    assert key.last_used_address == "203.0.113.9"
