"""Which of a key's secrets a request's key is: one HMAC against the stored verifier(s)
(apikeys.hashing), the key's secret or a rolled key's old one in its grace
(apikeys.rolling); Argon2id only to re-derive a verifier, behind its rate limit."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from django.views.decorators.debug import sensitive_variables

from apikeys import hashing, keys, rolling
from apikeys.credentials import Caller
from apikeys.exceptions import InvalidApiKey, VerificationRateLimited
from apikeys.models import ApiKey
from clipia_console.lib import ratelimit

CURRENT: Final = "current"
PREVIOUS: Final = "previous"


@sensitive_variables("parsed")
def verify_secret(api_key: ApiKey, parsed: keys.ParsedKey, caller: Caller, now: datetime) -> str:
    """Which of the key's secrets ``parsed`` is: CURRENT, or PREVIOUS (a rolled key's old
    secret, while it still works); InvalidApiKey for neither. One HMAC either way."""
    slots = [CURRENT]
    if rolling.previous_works(api_key, now):
        slots.append(PREVIOUS)
    verifiers = tuple(getattr(api_key, VERIFIER_FIELDS[slot]) for slot in slots)
    index, verdict = hashing.check(verifiers, parsed.raw)
    if verdict is hashing.Verdict.MISMATCH or api_key.environment != parsed.environment:
        raise InvalidApiKey
    slot = slots[index]
    if verdict is hashing.Verdict.UNVERIFIABLE:
        _verify_with_argon2(api_key, slot, parsed, caller.address)
    elif verdict is hashing.Verdict.MATCH_NEEDS_NEW_VERIFIER:
        _store_verifier(api_key, slot, parsed.raw)
    return slot


VERIFIER_FIELDS: Final = {CURRENT: "verifier", PREVIOUS: "previous_verifier"}
_HASH_FIELDS: Final = {CURRENT: "hashed_key", PREVIOUS: "previous_hashed_key"}


@sensitive_variables("parsed")
def _verify_with_argon2(
    api_key: ApiKey, slot: str, parsed: keys.ParsedKey, client_address: str | None
) -> None:
    """The once-per-key slow path: Argon2id, counted before it runs so that a flood cannot
    turn it into a denial of service; a right secret gives its count back and leaves a
    verifier behind, so the key never comes here again."""
    retry_after = ratelimit.slow_verification_retry_after(api_key.lookup_id, client_address)
    if retry_after is not None:
        raise VerificationRateLimited(retry_after)
    field = _HASH_FIELDS[slot]
    stored_hash = getattr(api_key, field)  # not read by the lookup: rare enough to load here
    if not hashing.verify_slow(stored_hash, parsed.raw):
        raise InvalidApiKey
    ratelimit.verification_succeeded(api_key.lookup_id, client_address)
    if hashing.needs_rehash(stored_hash):
        new_hash = hashing.hash_key(parsed.raw)
        # Conditional on the old hash, so a concurrent upgrade in another worker wins cleanly.
        ApiKey.objects.filter(pk=api_key.pk, **{field: stored_hash}).update(**{field: new_hash})
        setattr(api_key, field, new_hash)
    _store_verifier(api_key, slot, parsed.raw)


@sensitive_variables("raw_key")
def _store_verifier(api_key: ApiKey, slot: str, raw_key: str) -> None:
    field = VERIFIER_FIELDS[slot]
    new_verifier = hashing.make_verifier(raw_key)
    ApiKey.objects.filter(pk=api_key.pk, **{field: getattr(api_key, field)}).update(
        **{field: new_verifier}
    )
    setattr(api_key, field, new_verifier)
