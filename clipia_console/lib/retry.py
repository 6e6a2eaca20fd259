"""Running a transaction again when the database gave it up to keep others consistent.

PostgreSQL ends one side of a deadlock (SQLSTATE 40P01) and, under serializable
isolation, a transaction that lost a race (40001); the transaction changed nothing and the
same work may simply run again. Any other error is raised at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeVar

from django.db import OperationalError

T = TypeVar("T")

RETRYABLE_SQLSTATES: Final = frozenset({"40P01", "40001"})


def is_retryable(exc: OperationalError) -> bool:
    """Whether the database gave ``exc``'s transaction up (deadlock, serialization)."""
    return getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retrying(work: Callable[[], T], *, attempts: int = 3) -> T:
    """``work()`` (which opens its own transaction), again up to ``attempts`` times in all
    while the database gives it up as a deadlock or serialization failure."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
    raise AssertionError("unreachable")  # the loop returns or raises
