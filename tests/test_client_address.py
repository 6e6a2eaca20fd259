"""The client address recorded in audit events and counted by rate limits: REMOTE_ADDR,
unless trusted proxies are configured. X-Forwarded-For is attacker-controlled otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from apikeys.client import client_address


def request_from(remote: str, forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_it_ignores_a_spoofed_forwarded_header(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 0

    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_it_takes_the_address_that_proxy_saw(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 1

    # The client forged the first hop; our proxy appended the real peer last.
    request = request_from("10.0.0.2", "198.51.100.1, 203.0.113.9")

    assert client_address(request) == "203.0.113.9"


def test_behind_two_proxies_it_counts_hops_from_the_right(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 2

    request = request_from("10.0.0.2", "198.51.100.1, 203.0.113.9, 10.0.0.1")

    assert client_address(request) == "203.0.113.9"


@pytest.mark.parametrize("remote", ["", "not-an-address", "999.1.1.1"])
def test_an_unparseable_address_is_none_rather_than_a_cache_key_of_garbage(
    settings: Any, remote: str
) -> None:
    settings.APIKEYS_NUM_PROXIES = 0

    assert client_address(request_from(remote)) is None


def test_ipv6_addresses_are_normalised(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 0

    assert client_address(request_from("2001:DB8:0:0:0:0:0:1")) == "2001:db8::1"
