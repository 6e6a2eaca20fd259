"""The app under a real gunicorn, for tests of what only a real server shows (the same
pattern as tests/test_multiprocess.py; test modules never import each other).

The workers serve pytest-django's test database, so tests that use this need committed
rows: ``@pytest.mark.django_db(transaction=True)`` and ``@pytest.mark.services``.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def subprocess_database_url() -> str:
    """A DATABASE_URL for the database this test uses (pytest-django's test_<name>)."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Server:
    port: int

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | Iterable[bytes] | None = None,
    ) -> Response:
        """One request on a fresh connection. A ``body`` given as an iterable of bytes
        without a Content-Length header goes out chunked (Transfer-Encoding: chunked)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            conn.close()


@contextmanager
def gunicorn(tmp_path: Path, *, workers: int = 1, **env: str) -> Iterator[Server]:
    """The app under gunicorn (sync workers) on a free loopback port, stopped however the
    test ends."""
    port = free_port()
    environment: dict[str, Any] = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-gunicorn",
        "DATABASE_URL": subprocess_database_url(),
        **env,
    }
    error_log = tmp_path / "error.log"
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
            f"--error-logfile={error_log}",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Server(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, error_log.read_text()
            try:
                if server.request("GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not come up within 30 s"
            time.sleep(0.1)  # polling a starting server, not waiting on the code under test
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
