"""What is stored of a key's secret: an Argon2id hash and a peppered verifier.

Stored form, per key (never the key itself):

- ``hashed_key``: the argon2-cffi encoded string (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``)
  of the whole key. The at-rest hash: slow on purpose, salted, and the one thing that can
  re-derive a verifier when the pepper it was made with is gone.
- ``verifier``: ``v1$<pepper id>$<HMAC-SHA256(pepper, key), base64>``. The pepper is a
  server-side secret (``APIKEYS_PEPPER``, by default derived from ``SECRET_KEY``) that is
  never in the database, so a database dump alone lets nobody test a guess against it;
  with the pepper, checking a secret costs one HMAC on every worker, cold or warm.

Why both: the verifier makes every request, right secret or wrong, cost the same HMAC
whether the key id is active, revoked, expired or unknown, so wrong secrets need no rate
limit that could lock the owner out, and nothing tells ids apart. Argon2id remains the
defence should the pepper leak with the database: then the verifier is as strong as an
HMAC of ~190 random bits, still beyond guessing, and the Argon2id hash is the
conventional at-rest protection on top.

Rotation works like ``SECRET_KEY_FALLBACKS``: a verifier made with a pepper in
``APIKEYS_PEPPER_FALLBACKS`` still verifies, and is re-derived with the current pepper on
that use. One made with a pepper that is no longer configured (or a key stored before
verifiers existed) verifies through Argon2id once, behind the slow-verification rate
limit, and gets a new verifier.
"""

from __future__ import annotations

import base64
import enum
import functools
import hashlib
import hmac
from typing import Any, Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.crypto import salted_hmac

from apikeys.conf import conf

_VERSION = "v1"
# Compared against when there is nothing to compare against (an unknown key id), so that
# a guess costs the same HMAC and compare whether or not its id exists.
_NO_DIGEST = bytes(32)


class Verdict(enum.Enum):
    MATCH = "match"
    # Matched with a fallback pepper: re-derive the verifier with the current one.
    MATCH_NEEDS_NEW_VERIFIER = "match, needs new verifier"
    MISMATCH = "mismatch"
    # No verifier, or one made with a pepper no longer configured: only Argon2id can tell.
    UNVERIFIABLE = "unverifiable"


def hash_key(raw_key: str) -> str:
    """A new Argon2id hash of ``raw_key`` with the configured parameters."""
    return _hasher().hash(raw_key)


def make_verifier(raw_key: str) -> str:
    """The verifier of ``raw_key`` under the current pepper."""
    pepper_id, pepper = next(iter(_peppers().items()))
    return f"{_VERSION}${pepper_id}${_encode(_digest(pepper, raw_key))}"


def check(verifiers: tuple[str, ...], raw_key: str) -> tuple[int, Verdict]:
    """Which of the stored ``verifiers`` (a key's current secret first, then a secret in
    its grace period) ``raw_key`` matches: ``(index, verdict)``; ``(-1, MISMATCH)`` when
    none does. An empty string (a key stored before verifiers) is UNVERIFIABLE. Costs one
    HMAC per pepper in use, whatever the answer, and compares in constant time."""
    peppers = _peppers()
    current_id = next(iter(peppers))
    digests: dict[str, bytes] = {}
    unverifiable = -1
    for index, stored in enumerate(verifiers):
        parsed = _parse(stored)
        if parsed is None or parsed[0] not in peppers:
            if unverifiable == -1:
                unverifiable = index
            continue
        pepper_id, expected = parsed
        if pepper_id not in digests:
            digests[pepper_id] = _digest(peppers[pepper_id], raw_key)
        if hmac.compare_digest(digests[pepper_id], expected):
            if pepper_id == current_id:
                return index, Verdict.MATCH
            return index, Verdict.MATCH_NEEDS_NEW_VERIFIER
    if not digests:
        hmac.compare_digest(_digest(peppers[current_id], raw_key), _NO_DIGEST)
    if unverifiable != -1:
        return unverifiable, Verdict.UNVERIFIABLE
    return -1, Verdict.MISMATCH


def verify_slow(stored_hash: str, raw_key: str) -> bool:
    """Argon2id verification of ``raw_key`` against ``stored_hash``: tens of ms."""
    try:
        return _hasher().verify(stored_hash, raw_key)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with parameters other than the configured ones."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def _digest(pepper: bytes, raw_key: str) -> bytes:
    return hmac.new(pepper, raw_key.encode(), hashlib.sha256).digest()


def _encode(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _parse(stored: str) -> tuple[str, bytes] | None:
    version, _, rest = stored.partition("$")
    pepper_id, _, encoded = rest.partition("$")
    if version != _VERSION or not pepper_id or not encoded:
        return None
    try:
        return pepper_id, base64.b64decode(encoded, validate=True)
    except ValueError:
        return None


def _peppers() -> dict[str, bytes]:
    """{pepper id: pepper}, the current pepper first, then the fallbacks. Read from the
    settings once per process (and again when tests change a setting): this runs on every
    request."""
    global _known_peppers
    if _known_peppers is None:
        _known_peppers = dict(_configured_peppers())
    return _known_peppers


_known_peppers: dict[str, bytes] | None = None


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    global _known_peppers
    if setting in _PEPPER_SETTINGS:
        _known_peppers = None


_PEPPER_SETTINGS: Final = frozenset(
    {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "APIKEYS_PEPPER", "APIKEYS_PEPPER_FALLBACKS"}
)


def _configured_peppers() -> tuple[tuple[str, bytes], ...]:
    current = conf.PEPPER
    fallbacks = conf.PEPPER_FALLBACKS
    if current is None:
        # Derived from SECRET_KEY (and rotating with it through SECRET_KEY_FALLBACKS), so a
        # deployment needs no second secret unless it wants to rotate them apart.
        current = settings.SECRET_KEY
        if fallbacks is None:
            fallbacks = list(getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return _peppers_for(str(current), tuple(str(fallback) for fallback in fallbacks or ()))


@functools.cache
def _peppers_for(current: str, fallbacks: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    pairs: list[tuple[str, bytes]] = []
    for secret in (current, *fallbacks):
        pepper = salted_hmac("apikeys.verifier-pepper", b"", secret=secret).digest()
        # A short public name for the pepper, stored with each verifier: one-way, so it
        # says which pepper without saying anything of it.
        pepper_id = hmac.new(pepper, b"pepper id", hashlib.sha256).hexdigest()[:8]
        pairs.append((pepper_id, pepper))
    return tuple(pairs)


def _hasher() -> PasswordHasher:
    return _hasher_for(conf.ARGON2_TIME_COST, conf.ARGON2_MEMORY_COST_KIB, conf.ARGON2_PARALLELISM)


@functools.cache
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )
