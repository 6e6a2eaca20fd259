"""The cold path: one Argon2id verification with the configured (production) parameters.

Time is the median of several verifications in this process. Memory: Argon2 allocates its
``memory_cost`` KiB in C, which tracemalloc cannot see, so a fresh process reports how
much its peak resident set (VmHWM) grew over a single verification.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from apikeys import hashing, keys
from apikeys.conf import conf


@dataclass(frozen=True)
class ColdResult:
    time_cost: int
    memory_cost_kib: int
    parallelism: int
    samples: int
    median_ms: float
    p90_ms: float
    max_ms: float
    peak_rss_delta_kib: int


def measure(*, samples: int) -> ColdResult:
    raw_key = keys.generate_key("live", keys.generate_lookup_id())
    stored = hashing.hash_key(raw_key)
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        assert hashing.verify_slow(stored, raw_key)
        durations.append((time.perf_counter() - started) * 1000)
    return ColdResult(
        time_cost=conf.ARGON2_TIME_COST,
        memory_cost_kib=conf.ARGON2_MEMORY_COST_KIB,
        parallelism=conf.ARGON2_PARALLELISM,
        samples=samples,
        median_ms=statistics.median(durations),
        p90_ms=statistics.quantiles(durations, n=10)[-1],
        max_ms=max(durations),
        peak_rss_delta_kib=_peak_rss_delta_in_fresh_process(stored, raw_key),
    )


def _peak_rss_delta_in_fresh_process(stored: str, raw_key: str) -> int:
    # The key goes through stdin, never argv (visible to every user in ps).
    result = subprocess.run(
        [sys.executable, "-m", "bench.cold"],
        input=json.dumps({"stored": stored, "raw_key": raw_key}),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=os.environ,
    )
    return int(result.stdout.strip())


def _peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("VmHWM not available (Linux only)")


if __name__ == "__main__":
    import django

    django.setup()
    pair = json.loads(sys.stdin.read())
    before = _peak_rss_kib()
    assert hashing.verify_slow(pair["stored"], pair["raw_key"])
    print(_peak_rss_kib() - before)
