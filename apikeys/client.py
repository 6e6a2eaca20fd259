"""The client's network address, for audit records and rate limits."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from apikeys import conf


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with APIKEYS_NUM_PROXIES trusted proxies in front, the address the
    outermost trusted proxy saw (X-Forwarded-For is otherwise attacker-controlled)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(conf.get("APIKEYS_NUM_PROXIES"))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
