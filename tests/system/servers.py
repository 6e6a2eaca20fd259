"""Real servers for tests that need them: the app under gunicorn with several workers,
against the test database. For @pytest.mark.services tests (PostgreSQL)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
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
        body: bytes | Iterable[bytes] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request on a fresh connection: (status, headers, body). A ``body`` given as
        an iterable of bytes, without a Content-Length header, goes out chunked."""
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
        # The test process's secret: keys it creates carry verifiers peppered with it.
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
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
