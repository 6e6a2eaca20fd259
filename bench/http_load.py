"""Over HTTP: gunicorn with 2 sync workers on 127.0.0.1, a loopback load generator, and
/v1/account under our authentication, under DRF TokenAuthentication and under none, in
interleaved runs. wrk when installed (`apt-get install wrk`), else (or with
BENCH_PYTHON_CLIENT=1) a small threaded Python client, which needs far more CPU per request
than wrk and takes it from the same cores as the server, so its numbers are lower."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from bench.seed import Seed

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 4


@dataclass(frozen=True)
class HttpResult:
    generator: str
    # Median requests per second, and median CPU the gunicorn workers spent per request
    # (µs). Throughput moves with whatever else runs on the machine; the workers' own CPU
    # time per request barely does, so it is the steadier comparison on a shared box.
    rates: dict[str, float]
    cpu_us: dict[str, float]
    # Median over rounds of each round's ours/other throughput ratio: runs next to each
    # other share the machine's load of the moment, so their ratio is steadier than the
    # ratio of two medians. In the order of ``rates``: ours/Token, ours/no authentication.
    paired_ratios: tuple[float, float]


def run(seed: Seed, *, rounds: int, seconds: int) -> HttpResult:
    targets = {
        "/v1/account, ours": ("/v1/account", f"Authorization: Bearer {seed.raw_key}"),
        "/v1/account view, TokenAuthentication": (
            "/bench/account/token",
            f"Authorization: Token {seed.token}",
        ),
        "/v1/account view, no authentication": ("/bench/account/none", ""),
    }
    seconds = max(1, seconds)  # wrk takes whole seconds
    port = _free_port()
    server = _start_gunicorn(port, seed)
    wrk = None if os.environ.get("BENCH_PYTHON_CLIENT") else shutil.which("wrk")
    try:
        for path, header in targets.values():
            # Every worker verifies the key once (cold) before anything is measured.
            for _ in range(20):
                assert _get(port, path, header) == 200, path
        rates, cpu_us = _rounds(port, targets, _children(server.pid), wrk, rounds, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    generator = f"wrk -t2 -c{CONNECTIONS} -d{seconds}s" if wrk else f"Python, {CONNECTIONS} threads"
    ours, token, none = rates.values()
    return HttpResult(
        generator,
        {name: statistics.median(values) for name, values in rates.items()},
        {name: statistics.median(values) for name, values in cpu_us.items()},
        (
            statistics.median(a / b for a, b in zip(ours, token, strict=True)),
            statistics.median(a / b for a, b in zip(ours, none, strict=True)),
        ),
    )


def _rounds(
    port: int,
    targets: dict[str, tuple[str, str]],
    workers: list[int],
    wrk: str | None,
    rounds: int,
    seconds: int,
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each target's requests per second and worker CPU µs per request, one per round."""
    rates: dict[str, list[float]] = {name: [] for name in targets}
    cpu_us: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for round_number in range(rounds):
        # Each round starts with the next variant, so none always runs first or last.
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            path, header = targets[name]
            cpu_before = _cpu_seconds(workers)
            started = time.monotonic()
            served = (
                _wrk(wrk, port, path, header, seconds)
                if wrk
                else _python_load(port, path, header, seconds)
            )
            elapsed = time.monotonic() - started
            rates[name].append(served / elapsed)
            cpu_us[name].append((_cpu_seconds(workers) - cpu_before) / served * 1e6)
    return rates, cpu_us


def _children(pid: int) -> list[int]:
    """The gunicorn master's worker processes (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        # Fields 14 and 15 of /proc/<pid>/stat: user and system time, in clock ticks.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _start_gunicorn(port: int, seed: Seed) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    if connection.vendor != "sqlite":
        # The workers must use the throwaway test database this process created.
        parts = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + seed.database_name))
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "clipia_console.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(port, "/bench/trivial/none", "")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _wrk(wrk: str, port: int, path: str, header: str, seconds: int) -> int:
    """Requests served in ``seconds`` of load."""
    command = [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    if header:
        command += ["-H", header]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{path}: non-2xx answers under load:\n{output}")
    match = re.search(r"(\d+) requests in", output)
    assert match, output
    return int(match.group(1))


def _python_load(port: int, path: str, header: str, seconds: int) -> int:
    """Requests served in ``seconds`` of load."""
    counts = [0] * CONNECTIONS
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        while time.monotonic() < deadline:
            if _get(port, path, header) != 200:
                raise RuntimeError(f"{path}: non-200 answer under load")
            counts[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts)


def _get(port: int, path: str, header: str) -> int:
    # gunicorn's sync workers close the connection after each response, so one per request.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers: dict[str, str] = {}
        if header:
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
