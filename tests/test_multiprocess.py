"""Instant revocation across processes: the app under gunicorn with several workers, a
steady stream of requests with one key, a revoke, and every request sent after the revoke
returned gets 401, whichever worker serves it.

The workers serve pytest-django's test database (committed rows: transactional_db), with
tests.settings. Which worker served each request comes from gunicorn's access log (its
``%(p)s`` atom is the worker's pid), never from anything the app exposes.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from apikeys import keys, services

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
ACCESS_LOG_FORMAT = "%(p)s %(s)s %(r)s"
_ACCESS_LINE = re.compile(r"^<?(?P<pid>\d+)>? (?P<status>\d{3}) \w+ \S*[?&]n=(?P<n>\d+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def subprocess_database_url(**overrides: Any) -> str:
    """A DATABASE_URL for the database this test uses (pytest-django's test_<name>)."""
    db = {**connection.settings_dict, **overrides}
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Server:
    port: int
    access_log: Path
    process: subprocess.Popen[bytes]

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def served(self) -> dict[int, tuple[int, int]]:
        """Request number -> (worker pid, status), from the access log."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return {
            int(match["n"]): (int(match["pid"]), int(match["status"]))
            for match in map(_ACCESS_LINE.match, lines)
            if match
        }


@contextmanager
def gunicorn(
    tmp_path: Path, *, database_url: str, workers: int = 3, **env: str
) -> Iterator[Server]:
    """The app under gunicorn on a free loopback port, stopped however the test ends."""
    port = free_port()
    access_log = tmp_path / "access.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-gunicorn",
        "DATABASE_URL": database_url,
        **env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clipia_console.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=30",
            "--graceful-timeout=2",
            f"--access-logfile={access_log}",
            f"--access-logformat={ACCESS_LOG_FORMAT}",
            f"--error-logfile={tmp_path / 'error.log'}",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(port, access_log, process)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            try:
                if server.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up within 30 s"
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


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
    _, raw = make_key(alice, "live")
    head = raw[: -keys.SECRET_LENGTH - keys.CHECKSUM_LENGTH]
    limit = 10
    statuses: list[int] = []
    served: dict[int, tuple[int, int]] = {}

    # An hour-long window, so the flood cannot straddle two windows.
    with gunicorn(
        tmp_path,
        database_url=subprocess_database_url(),
        workers=3,
        APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY=str(limit),
        APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS="1000",
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
