"""The API key format: generation, parsing and checksum. Pure Python, no Django models.

A key is ``clipia_<environment>_<body>``: ``environment`` is ``live`` or ``test`` and
``body`` is exactly 50 base62 characters (``0-9A-Za-z``), laid out as::

    clipia_live_ | 4f9Kq2XbLm0Z | Rz8w…(32 characters)…Qe | 0a1B2c
      prefix     | lookup id 12 | secret 32                 | checksum 6

- The **lookup id** (12 base62 characters, about 71 bits, from ``secrets``) is public: it
  is stored unique and indexed, finds the row in one query, and is what lists show
  (``clipia_live_4f9Kq2XbLm0Z…``).
- The **secret** (32 base62 characters, about 190 bits, from ``secrets``) is never stored;
  only an Argon2id hash of the whole key is (see ``apikeys.hashing``).
- The **checksum** is the CRC32 of everything before it (prefix, lookup id and secret) as
  6 zero-padded base62 digits, as GitHub's tokens do. It is not a secret and adds no
  security: it lets us refuse a mistyped or truncated key before any query or hash, and
  lets secret scanners recognise our keys with few false positives.

Base62 only after the prefix keeps the whole key one "word" for double-click selection and
free of characters that need escaping in shells, URLs or headers.
"""

from __future__ import annotations

import secrets
import string
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Environment(StrEnum):
    """The two environments, named here once. Live keys spend credits; test keys get
    instant mock results and never spend. Members are strings: ``"live" == LIVE``."""

    LIVE = "live"
    TEST = "test"

    @property
    def label(self) -> str:
        return self.value.title()


ENVIRONMENTS: Final[tuple[Environment, ...]] = tuple(Environment)
# For model fields and forms: (value, label) pairs, live first.
ENVIRONMENT_CHOICES: Final[tuple[tuple[str, str], ...]] = tuple(
    (environment.value, environment.label) for environment in Environment
)
KEY_NAMESPACE: Final = "clipia_"
BASE62_ALPHABET: Final = string.digits + string.ascii_uppercase + string.ascii_lowercase
LOOKUP_ID_LENGTH: Final = 12
SECRET_LENGTH: Final = 32
CHECKSUM_LENGTH: Final = 6
BODY_LENGTH: Final = LOOKUP_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH
# "clipia_live_" and "clipia_test_" have the same length, so every valid key does too.
KEY_LENGTH: Final = len("clipia_live_") + BODY_LENGTH

_BASE62_SET: Final = frozenset(BASE62_ALPHABET)


def key_prefix(environment: str) -> str:
    """The environment prefix a key starts with, e.g. ``clipia_live_``. ValueError for an
    unknown environment."""
    return f"{KEY_NAMESPACE}{Environment(environment).value}_"


@dataclass(frozen=True, slots=True)
class ParsedKey:
    """A key that passed the format and checksum checks (which says nothing of its validity).

    ``raw`` is excluded from ``repr`` so that a ParsedKey in a log line, a traceback or an
    exception message never carries the secret.
    """

    environment: Environment
    lookup_id: str
    raw: str = field(repr=False)

    @property
    def display_prefix(self) -> str:
        return display_prefix(self.environment, self.lookup_id)


def generate_lookup_id() -> str:
    return _random_base62(LOOKUP_ID_LENGTH)


def generate_key(environment: str, lookup_id: str) -> str:
    """A new full key for ``lookup_id``; the secret comes from ``secrets``. ValueError for
    an unknown environment."""
    if len(lookup_id) != LOOKUP_ID_LENGTH or not _is_base62(lookup_id):
        raise ValueError("lookup id must be 12 base62 characters")
    unsigned = key_prefix(environment) + lookup_id + _random_base62(SECRET_LENGTH)
    return unsigned + checksum(unsigned)


def parse_key(raw: str) -> ParsedKey | None:
    """The key's parts if ``raw`` has our exact format and a correct checksum, else None.

    Cheap enough to run on every request, before any database query or hash: a fixed
    length check, a prefix check, a character check and one CRC32.
    """
    if len(raw) != KEY_LENGTH or not raw.startswith(KEY_NAMESPACE):
        return None
    environment = environment_of(raw[len(KEY_NAMESPACE) : len(KEY_NAMESPACE) + 4])
    if environment is None or raw[len(KEY_NAMESPACE) + 4] != "_":
        return None
    body = raw[-BODY_LENGTH:]
    if not _is_base62(body):
        return None
    unsigned, given = raw[:-CHECKSUM_LENGTH], raw[-CHECKSUM_LENGTH:]
    if not secrets.compare_digest(checksum(unsigned), given):
        return None
    lookup_id = body[:LOOKUP_ID_LENGTH]
    return ParsedKey(environment=environment, lookup_id=lookup_id, raw=raw)


def environment_of(name: str) -> Environment | None:
    """The environment called ``name``, or None: for input from people and headers."""
    try:
        return Environment(name)
    except ValueError:
        return None


def lookup_id_in(text: str) -> str | None:
    """The lookup id in ``text`` that holds a key or a key's prefix as lists show it
    (``clipia_live_<lookup id>…``): what follows the environment prefix, cut to a lookup
    id's length (shorter if the text is). None when ``text`` has no environment prefix.
    Staff paste these into searches and commands; only the public part is ever used."""
    for environment in ENVIRONMENTS:
        head = key_prefix(environment)
        start = text.find(head)
        if start != -1:
            begin = start + len(head)
            return text[begin : begin + LOOKUP_ID_LENGTH]
    return None


def checksum(unsigned: str) -> str:
    """CRC32 of ``unsigned`` as 6 zero-padded base62 digits (62**6 > 2**32)."""
    value = zlib.crc32(unsigned.encode("ascii"))
    digits = []
    for _ in range(CHECKSUM_LENGTH):
        value, digit = divmod(value, 62)
        digits.append(BASE62_ALPHABET[digit])
    return "".join(reversed(digits))


def display_prefix(environment: str, lookup_id: str) -> str:
    """What lists show of a key: the environment prefix and the public lookup id, no more."""
    return f"{KEY_NAMESPACE}{environment}_{lookup_id}"


def _random_base62(length: int) -> str:
    return "".join(secrets.choice(BASE62_ALPHABET) for _ in range(length))


def _is_base62(text: str) -> bool:
    return _BASE62_SET.issuperset(text)
