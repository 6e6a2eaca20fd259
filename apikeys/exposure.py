"""Leaked-key intake: anyone who finds our keys in public (a secret scanner, a good
samaritan) may send them to ``POST /v1/keys/revoke``, as GitHub's credential revocation
API allows; every correct credential that still works is retired at once.

The sender learns nothing: the answer never says which keys existed or were retired.
Work is bounded: candidates that fail the checksum or name no key cost no hash, and a
known key costs the same one HMAC as any request (Argon2id only to re-derive a verifier).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from django.views.decorators.debug import sensitive_variables

from apikeys import hashing, keys, rolling, services
from apikeys.audit import Actor
from apikeys.credentials import Caller
from apikeys.exceptions import InvalidApiKey, VerificationRateLimited
from apikeys.lookup import lookup
from apikeys.secret_check import CURRENT, verify_secret
from clipia_console.lib import clock

MAX_KEYS_PER_REPORT: Final = 100


@sensitive_variables("raw_keys", "raw_key", "parsed")
def report_exposed(raw_keys: Iterable[str], *, client_address: str | None) -> int:
    """Retire every working credential among ``raw_keys``: a key's current secret is
    revoked, a rolled key's old secret ends its grace. Returns how many were retired (for
    logs and tests; never tell the sender)."""
    retired = 0
    actor = Actor.public_report(client_address)
    for raw_key in dict.fromkeys(raw_keys):
        parsed = keys.parse_key(raw_key)
        if parsed is None:
            continue
        api_key = lookup(parsed.lookup_id)
        if api_key is None:
            hashing.check((), parsed.raw)  # the same HMAC a known id costs: no timing tell
            continue
        now = clock.now()
        try:
            # Not counted per address: the intake bounds its candidates per reporting
            # address itself, and a full bucket must never skip a real report.
            secret = verify_secret(
                api_key, parsed, Caller(address=client_address), now, counted=False
            )
        except (InvalidApiKey, VerificationRateLimited):
            continue
        if not api_key.is_usable(now):
            continue
        # The owner is told by whoever listens to the audit event (apikeys.signals).
        if secret == CURRENT:
            done = services.revoke_key(api_key, actor=actor, reason=rolling.EXPOSED)
        else:
            done = rolling.end_grace(api_key, actor=actor, reason=rolling.EXPOSED)
        retired += done
    return retired
