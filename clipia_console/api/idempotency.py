"""Idempotent retries of ``POST /v1/models/{model}``, as Stripe does them.

A request with an ``Idempotency-Key`` header claims the key for its account and
environment by inserting a row first (the unique constraint decides between concurrent
duplicates), does its work, and stores its answer in the same transaction as the charge.
A retry within 24 hours gets that answer again, status and body, and is charged nothing.
The same key with a different request, or while the first is still in flight, is 409.

Only requests that got as far as trying to generate are remembered: a request refused for
its key, scope, model or body can be fixed and retried under the same Idempotency-Key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q

from clipia_console.api.models import IdempotencyRecord
from clipia_console.lib import clock

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)
# An in-flight claim this old belongs to a request that died before it could store an
# answer or let go (a killed worker, a database lost mid-request). Its charge, if any,
# never committed, since the answer is stored in the same transaction; a retry may take
# the claim over. Taking over a live-but-slow request is safe too: its answer can no longer
# be stored, so its transaction rolls back; and a slow request that stored its answer
# first keeps it (the takeover is conditional on the claim still being unfinished).
ABANDONED_AFTER = timedelta(seconds=60)


class InvalidIdempotencyKey(Exception):
    pass


class KeyReused(Exception):
    """The key was used for a different request."""


class InFlight(Exception):
    """The first request with this key has not answered yet (or lost its claim)."""


@dataclass(frozen=True, slots=True)
class Claim:
    """This request owns the key: it does the work and stores the answer."""

    record_id: int
    token: uuid.UUID


@dataclass(frozen=True, slots=True)
class Replay:
    """An earlier request with this key already answered; answer the same."""

    status_code: int
    body: str


def key_from_header(value: str | None) -> str | None:
    """The Idempotency-Key header's value, None when absent; InvalidIdempotencyKey unless
    it is 1 to 255 printable ASCII characters."""
    if value is None:
        return None
    if not 0 < len(value) <= MAX_KEY_LENGTH or not all(" " < char < "\x7f" for char in value):
        raise InvalidIdempotencyKey
    return value


def fingerprint(model_id: str, data: Any) -> str:
    """A digest of what the request asks for: same model and same JSON body, same digest,
    whatever the key order or spacing."""
    canonical = json.dumps([model_id, data], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def begin(
    *, account_id: int, environment: str, key: str, request_fingerprint: str
) -> Claim | Replay:
    """Claim ``key`` for this request, or find the answer an earlier request stored.

    Raises KeyReused when the key was used for a different request, InFlight when the
    request that holds it has not answered yet.
    """
    scope = {"account_id": account_id, "environment": environment, "key": key}
    for _ in range(3):
        now = clock.now()
        token = uuid.uuid4()
        try:
            with transaction.atomic():
                created = IdempotencyRecord.objects.create(
                    **scope, fingerprint=request_fingerprint, claim=token, created_at=now
                )
            return Claim(created.pk, token)
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(**scope).first()
        if record is None:
            continue  # let go or purged since our insert: try again
        expired = record.created_at <= now - RETENTION
        abandoned = record.status_code is None and record.created_at <= now - ABANDONED_AFTER
        if expired or abandoned:
            if _take_over(record, request_fingerprint, token, now):
                return Claim(record.pk, token)
            continue  # changed since we read it: read it again
        if record.fingerprint != request_fingerprint:
            raise KeyReused
        if record.status_code is None:
            raise InFlight
        return Replay(record.status_code, record.response_body)
    raise InFlight


def _take_over(
    record: IdempotencyRecord, request_fingerprint: str, token: uuid.UUID, now: datetime
) -> bool:
    """Claim ``record`` for this request, only if it is still as we read it: the same
    claim (so one of several retries wins) and, for an abandoned claim, still unfinished
    (a slow first request may have stored its answer since; taking over then would charge
    twice)."""
    unchanged = IdempotencyRecord.objects.filter(pk=record.pk, claim=record.claim)
    if record.status_code is None:
        unchanged = unchanged.filter(status_code__isnull=True)
    return bool(
        unchanged.update(
            fingerprint=request_fingerprint,
            claim=token,
            status_code=None,
            response_body="",
            created_at=now,
        )
    )


def finish(claim: Claim, status_code: int, body: str) -> None:
    """Store the answer. Call inside the transaction that charges, so the charge and the
    stored answer commit together or not at all; InFlight (roll back!) if the claim was
    taken over meanwhile."""
    if not IdempotencyRecord.objects.filter(
        pk=claim.record_id, claim=claim.token, status_code__isnull=True
    ).update(status_code=status_code, response_body=body):
        raise InFlight


def let_go(claim: Claim) -> None:
    """Give the key up after a failure that stored no answer, so a retry need not wait for
    ABANDONED_AFTER. Best effort: with the database gone, the claim simply ages out."""
    with contextlib.suppress(DatabaseError):
        IdempotencyRecord.objects.filter(
            pk=claim.record_id, claim=claim.token, status_code__isnull=True
        ).delete()


def purge_expired() -> int:
    """Delete records past retention (and long-abandoned claims); returns how many."""
    now = clock.now()
    deleted, _ = IdempotencyRecord.objects.filter(
        Q(created_at__lte=now - RETENTION)
        | Q(status_code__isnull=True, created_at__lte=now - ABANDONED_AFTER)
    ).delete()
    return deleted
