"""Which of a key's secrets a request's key is: one HMAC against the stored verifier(s)
(apikeys.hashing), the key's secret or a rolled key's old one in its grace
(apikeys.rolling); Argon2id only to re-derive a verifier, behind its rate limit."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Final

from django.views.decorators.debug import sensitive_variables

from apikeys import hashing, keys, rolling
from apikeys.conf import conf
from apikeys.credentials import Caller
from apikeys.exceptions import InvalidApiKey, VerificationRateLimited
from apikeys.models import ApiKey
from clipia_console.lib import ratelimit

CURRENT: Final = "current"
PREVIOUS: Final = "previous"


@sensitive_variables("parsed")
def verify_secret(
    api_key: ApiKey, parsed: keys.ParsedKey, caller: Caller, now: datetime, *, counted: bool = True
) -> str:
    """Which of the key's secrets ``parsed`` is: CURRENT, or PREVIOUS (a rolled key's old
    secret, while it still works); InvalidApiKey for neither. One HMAC either way. Not
    ``counted``: the Argon2id path skips the per-address limit (the leaked-key intake,
    which bounds its candidates per reporting address itself, and must never skip a real
    report because a bucket is full)."""
    slots = [CURRENT]
    if rolling.previous_works(api_key, now):
        slots.append(PREVIOUS)
    verifiers = tuple(getattr(api_key, VERIFIER_FIELDS[slot]) for slot in slots)
    index, verdict = hashing.check(verifiers, parsed.raw)
    if verdict is hashing.Verdict.MISMATCH or api_key.environment != parsed.environment:
        raise InvalidApiKey
    slot = slots[index]
    if verdict is hashing.Verdict.UNVERIFIABLE:
        _verify_with_argon2(api_key, slot, parsed, caller.address if counted else None, counted)
    elif verdict is hashing.Verdict.MATCH_NEEDS_NEW_VERIFIER:
        _store_verifier(api_key, slot, parsed.raw)
    return slot


VERIFIER_FIELDS: Final = {CURRENT: "verifier", PREVIOUS: "previous_verifier"}
_HASH_FIELDS: Final = {CURRENT: "hashed_key", PREVIOUS: "previous_hashed_key"}


@sensitive_variables("parsed")
def _verify_with_argon2(
    api_key: ApiKey, slot: str, parsed: keys.ParsedKey, client_address: str | None, counted: bool
) -> None:
    """The once-per-key slow path: Argon2id, counted per client address before it runs so
    that a flood cannot turn it into a denial of service (never per key id, which would
    let anyone's wrong secrets refuse the owner), and at most ARGON2_CONCURRENCY at once
    in a process; a right secret gives its count back and leaves a verifier behind, so
    the key never comes here again."""
    if counted:
        retry_after = ratelimit.slow_verification_retry_after(client_address)
        if retry_after is not None:
            raise VerificationRateLimited(retry_after)
    field = _HASH_FIELDS[slot]
    stored_hash = getattr(api_key, field)  # not read by the lookup: rare enough to load here
    with argon2_slot():
        right = hashing.verify_slow(stored_hash, parsed.raw)
    if not right:
        raise InvalidApiKey
    if counted:
        ratelimit.verification_succeeded(client_address)
    if hashing.needs_rehash(stored_hash):
        new_hash = hashing.hash_key(parsed.raw)
        # Conditional on the old hash, so a concurrent upgrade in another worker wins cleanly.
        ApiKey.objects.filter(pk=api_key.pk, **{field: stored_hash}).update(**{field: new_hash})
        setattr(api_key, field, new_hash)
    _store_verifier(api_key, slot, parsed.raw)


_argon2_slots = threading.BoundedSemaphore(conf.ARGON2_CONCURRENCY)


@contextlib.contextmanager
def argon2_slot() -> Iterator[None]:
    """One of this process's Argon2id slots, waited for (threaded workers: a flood from
    many addresses queues here instead of taking every core); 429 if none frees up in
    ARGON2_WAIT_SECONDS."""
    if not _argon2_slots.acquire(timeout=conf.ARGON2_WAIT_SECONDS):
        raise VerificationRateLimited(conf.ARGON2_WAIT_SECONDS)
    try:
        yield
    finally:
        _argon2_slots.release()


@sensitive_variables("raw_key")
def _store_verifier(api_key: ApiKey, slot: str, raw_key: str) -> None:
    field = VERIFIER_FIELDS[slot]
    new_verifier = hashing.make_verifier(raw_key)
    ApiKey.objects.filter(pk=api_key.pk, **{field: getattr(api_key, field)}).update(
        **{field: new_verifier}
    )
    setattr(api_key, field, new_verifier)
