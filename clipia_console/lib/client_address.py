"""The client's network address, for audit records and rate limits."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from clipia_console.lib.conf import conf

# The one bucket for every client whose address cannot be read: a limit that cannot tell
# clients apart still holds (fail closed) rather than switching off.
UNKNOWN_ADDRESS = "unknown"


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with APIKEYS_NUM_PROXIES trusted proxies in front, the address the
    outermost trusted proxy saw (X-Forwarded-For is otherwise attacker-controlled).
    Normalised (``[v6]:port``, ``v4:port`` and IPv4-mapped IPv6 read as the bare address);
    None when no address can be read, e.g. an empty REMOTE_ADDR on a Unix socket."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = conf.APIKEYS_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Some proxies join headers with a trailing ", ": an empty hop is no hop.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if proxies > 0 and hops:
        address = hops[-min(proxies, len(hops))]
    return parse_address(address)


def parse_address(text: str) -> str | None:
    """``text`` as a normalised IP address, or None if it is none."""
    text = text.strip()
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port (a bare IPv6 address has several colons)
        text = text.partition(":")[0]
    text = text.partition("%")[0]  # a zone (fe80::1%eth0) says nothing about the client
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def rate_limit_bucket(address: str | None) -> str:
    """The name ``address`` is counted under by per-address limits. One host usually holds
    a whole IPv6 /64 and can pick any address in it, so IPv6 counts per /64; an address
    that cannot be read counts in the one shared UNKNOWN_ADDRESS bucket."""
    parsed = parse_address(address) if address else None
    if parsed is None:
        return UNKNOWN_ADDRESS
    ip = ipaddress.ip_address(parsed)
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return parsed
