"""The client address recorded in audit events and counted by rate limits: REMOTE_ADDR,
unless trusted proxies are configured. X-Forwarded-For is attacker-controlled otherwise.
Rate limits count IPv6 per /64 and fail closed: an address that cannot be read shares one
bucket rather than escaping every per-address limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from apikeys.models import ApiKeyEvent
from clipia_console.lib.client_address import UNKNOWN_ADDRESS, client_address, rate_limit_bucket


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


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1"),
        (" 203.0.113.9 ", "203.0.113.9"),
    ],
)
def test_addresses_with_a_port_brackets_or_a_mapped_ipv4_are_read(
    settings: Any, remote: str, expected: str
) -> None:
    settings.APIKEYS_NUM_PROXIES = 0

    assert client_address(request_from(remote)) == expected


def test_a_proxys_ip_port_hop_is_read_too(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 1

    assert client_address(request_from("10.0.0.2", "198.51.100.1, 203.0.113.9:40000")) == (
        "203.0.113.9"
    )


def test_a_trailing_empty_forwarded_hop_is_no_hop(settings: Any) -> None:
    settings.APIKEYS_NUM_PROXIES = 1

    request = request_from("10.0.0.2", "198.51.100.1, 203.0.113.9, ")

    assert client_address(request) == "203.0.113.9"


def test_ipv6_is_counted_per_64_and_ipv4_per_address() -> None:
    assert rate_limit_bucket("2001:db8:1:2::1") == rate_limit_bucket("2001:db8:1:2:ffff::9")
    assert rate_limit_bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert rate_limit_bucket("2001:db8:1:3::1") != rate_limit_bucket("2001:db8:1:2::1")
    assert rate_limit_bucket("203.0.113.9") == "203.0.113.9"
    assert rate_limit_bucket("203.0.113.9") != rate_limit_bucket("203.0.113.10")


@pytest.mark.parametrize("address", [None, "", "not-an-address"])
def test_an_unreadable_address_still_gets_a_bucket(address: str | None) -> None:
    assert rate_limit_bucket(address) == UNKNOWN_ADDRESS


def test_audit_records_keep_the_full_ipv6_address(alice: User, make_key: Any) -> None:
    api_key, _ = make_key(alice)
    client = Client()
    client.force_login(alice)

    client.post(f"/developer/api-keys/{api_key.pk}/revoke/", REMOTE_ADDR="[2001:db8:1:2::abcd]:443")

    event = api_key.events.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert event.client_address == "2001:db8:1:2::abcd"
