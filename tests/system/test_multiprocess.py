"""Instant revocation across processes: the app under gunicorn with several workers, a
steady stream of requests with one key, a revoke, and every request sent after the revoke
returned gets 401, whichever worker serves it.

The workers serve pytest-django's test database (committed rows: transactional_db), with
tests.settings. Which worker served each request comes from gunicorn's access log (its
``%(p)s`` atom is the worker's pid), never from anything the app exposes.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apikeys import keys, services
from apikeys.models import ApiKey
from tests.system.servers import gunicorn, subprocess_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Sent:
    n: int
    sent_at: float
    status: int


def test_a_revoked_key_gets_401_from_every_worker_at_once(
    alice: Any, make_key: Any, tmp_path: Path
) -> None:
    key, raw = make_key(alice, "live")
    numbers = itertools.count()
    results: list[Sent] = []
    lock = threading.Lock()
    stop = threading.Event()

    with gunicorn(tmp_path, database_url=subprocess_database_url(), workers=3) as server:

        def stream() -> None:
            for _ in range(3000):  # bounded, whatever happens
                if stop.is_set():
                    return
                with lock:
                    n = next(numbers)
                sent_at = time.monotonic()
                status, _, _ = server.request(
                    "GET", f"/v1/account?n={n}", headers={"Authorization": f"Bearer {raw}"}
                )
                with lock:
                    results.append(Sent(n, sent_at, status))

        def workers_that_answered(status: int, after: float = 0.0) -> set[int]:
            served = server.served()
            with lock:
                wanted = [sent.n for sent in results if sent.sent_at > after]
            return {served[n][0] for n in wanted if n in served and served[n][1] == status}

        def sent_after(moment: float) -> int:
            with lock:
                return sum(sent.sent_at > moment for sent in results)

        def wait_for(condition: Any, what: str) -> None:
            deadline = time.monotonic() + 30
            while not condition():
                assert time.monotonic() < deadline, f"timed out waiting for {what}"
                time.sleep(0.05)

        threads = [threading.Thread(target=stream) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            # Every worker has verified the key (and remembers it) before the revoke.
            wait_for(lambda: len(workers_that_answered(200)) >= 3, "200s from 3 workers")
            assert services.revoke_key(key, actor=services.Actor.command("tests"))
            revoked_at = time.monotonic()
            wait_for(
                lambda: (
                    len(workers_that_answered(401, after=revoked_at)) >= 3
                    and sent_after(revoked_at) >= 60
                ),
                "401s from 3 workers after the revoke",
            )
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

        served = server.served()

    after = [sent for sent in results if sent.sent_at > revoked_at]
    before = [sent for sent in results if sent.sent_at <= revoked_at]
    assert len(after) >= 60
    assert {sent.status for sent in after} == {401}
    assert {sent.status for sent in before} <= {200, 401}
    assert len({served[sent.n][0] for sent in after if sent.n in served}) >= 3


def test_the_wrong_secret_limit_is_shared_by_all_workers_through_redis(
    alice: Any, make_key: Any, tmp_path: Path
) -> None:
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: without Redis each worker counts on its own")
    key, raw = make_key(alice, "live")
    # Only a key without a current verifier meets Argon2, and so this limit.
    ApiKey.objects.filter(pk=key.pk).update(verifier="")
    head = raw[: -keys.SECRET_LENGTH - keys.CHECKSUM_LENGTH]
    limit = 10
    statuses: list[int] = []
    served: dict[int, tuple[int, int]] = {}

    # An hour-long window, so the flood cannot straddle two windows.
    with gunicorn(
        tmp_path,
        database_url=subprocess_database_url(),
        workers=3,
        # Every request comes from this machine's one address: its bucket is the limit.
        APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS=str(limit),
        APIKEYS_SLOW_VERIFY_WINDOW_SECONDS="3600",
    ) as server:

        def send(n: int) -> int:
            wrong = head + f"{n:032d}" + keys.checksum(head + f"{n:032d}")
            headers = {"Authorization": f"Bearer {wrong}"}
            return server.request("GET", f"/v1/account?n={n}", headers=headers)[0]

        # Concurrent batches until at least two workers have taken part (bounded).
        with ThreadPoolExecutor(max_workers=6) as pool:
            for batch in range(20):
                statuses += pool.map(send, range(batch * 15, batch * 15 + 15))
                served = server.served()
                if len({pid for pid, _ in served.values()}) >= 2 and len(statuses) >= 30:
                    break

    assert sorted(statuses) == [401] * limit + [429] * (len(statuses) - limit)
    assert len({pid for pid, _ in served.values()}) >= 2
