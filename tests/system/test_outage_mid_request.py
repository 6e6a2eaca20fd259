"""Cutting the database mid-request under gunicorn (a TCP proxy in this process cutting open
connections) never leaves a half-written charge: the books still balance."""

from __future__ import annotations

import http.client
import threading
import time
from typing import Any

from clipia_console.api.models import IdempotencyRecord
from clipia_console.generations.models import Generation
from tests.system.helpers import (
    TcpProxy,
    against_real_postgresql,
    assert_books_balance,
    generate,
    wait_until_healthy,
)
from tests.system.servers import Server


@against_real_postgresql
def test_cutting_the_database_mid_request_never_leaves_a_half_written_charge(
    server: Server, proxy: TcpProxy, live: str, alice: Any
) -> None:
    answers: dict[str, list[int]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def stream(worker: int) -> None:
        for n in range(400):  # bounded, whatever happens
            if stop.is_set():
                return
            key = f"cut-{worker}-{n}"
            try:
                status, _ = generate(server, live, key)
            except (OSError, http.client.HTTPException, ValueError):
                status = 0  # no HTTP answer at all: fails the test below
            with lock:
                answers[key] = [status]

    threads = [threading.Thread(target=stream, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            time.sleep(0.3)
            proxy.stop()
            time.sleep(0.2)
            proxy.start()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    wait_until_healthy(server)

    # Retry every request that got no definite answer, with its Idempotency-Key.
    for key, statuses in answers.items():
        if statuses[-1] == 503:
            statuses.append(generate(server, live, key)[0])

    seen = {status for statuses in answers.values() for status in statuses}
    assert seen <= {201, 409, 503}, seen
    assert 503 in seen  # the cuts did interrupt requests
    assert all(statuses[-1] in (201, 409) for statuses in answers.values())
    stored = IdempotencyRecord.objects.filter(account=alice, status_code=201).count()
    assert Generation.objects.filter(owner=alice).count() == stored
    assert sum(statuses[-1] == 201 for statuses in answers.values()) == stored
    assert_books_balance(alice)
