"""Argon2id hashes of keys at rest, and the per-process memory that keeps Argon2 off the
warm path.

Stored form: the argon2-cffi encoded string (``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) of
the whole key. Never the key, never a fast digest of it: a database leak yields nothing
that can be used or cheaply tested.

Argon2id costs tens of milliseconds, so each process pays it once per key. After a
successful verification the process remembers ``stored hash -> HMAC(process key, key)``,
where the HMAC key is random, lives only in this process's memory and dies with it. A
later request with the same key against the same stored hash costs one HMAC and a
constant-time compare. Correctness never depends on this memory being invalidated: a
revoked key is refused by its row, and a re-hashed row has a new stored hash that the
memory does not know. Because one stored hash verifies exactly one key, a remembered
hash also refuses any *other* secret without Argon2.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from apikeys import conf

_PROCESS_KEY = secrets.token_bytes(32)


def hash_key(raw_key: str) -> str:
    """A new Argon2id hash of ``raw_key`` with the configured parameters."""
    return _hasher().hash(raw_key)


def check_remembered(stored_hash: str, raw_key: str) -> bool | None:
    """True or False when this process already verified a key against ``stored_hash``;
    None when it has not, and only Argon2 (``verify_slow``) can tell."""
    remembered = _memory.get(stored_hash)
    if remembered is None:
        return None
    return hmac.compare_digest(remembered, _digest(raw_key))


def verify_slow(stored_hash: str, raw_key: str) -> bool:
    """Argon2id verification; remembers the pair on success."""
    try:
        _hasher().verify(stored_hash, raw_key)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    remember(stored_hash, raw_key)
    return True


def remember(stored_hash: str, raw_key: str) -> None:
    _memory.put(stored_hash, _digest(raw_key))


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with parameters other than the configured ones."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def forget_all() -> None:
    """Empty this process's memory (tests, and benchmarks measuring the cold path)."""
    _memory.clear()


def _digest(raw_key: str) -> bytes:
    return hmac.new(_PROCESS_KEY, raw_key.encode(), hashlib.sha256).digest()


def _hasher() -> PasswordHasher:
    return _hasher_for(
        conf.get("APIKEYS_ARGON2_TIME_COST"),
        conf.get("APIKEYS_ARGON2_MEMORY_COST_KIB"),
        conf.get("APIKEYS_ARGON2_PARALLELISM"),
    )


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


class _BoundedMemory:
    """A size-bounded map, oldest insertion evicted first.

    Reads take no lock (a dict lookup is atomic under the GIL); inserts do, so that
    concurrent threads of one worker cannot evict past the bound.
    """

    def __init__(self) -> None:
        self._items: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._items.get(key)

    def put(self, key: str, value: bytes) -> None:
        limit = max(1, int(conf.get("APIKEYS_VERIFIED_MEMORY_SIZE")))
        with self._lock:
            self._items.pop(key, None)
            while len(self._items) >= limit:
                del self._items[next(iter(self._items))]
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_memory = _BoundedMemory()
