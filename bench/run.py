"""`make bench`: the authentication benchmark of issue 6. Prints results; records nothing.

    .venv/bin/python bench/run.py                      # SQLite (+ in-process cache)
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/run.py   # and PostgreSQL

Each part runs in its own process (Django is configured once per process) against a
throwaway database: a temporary SQLite file, or Django's test database ``test_<name>`` next
to the PostgreSQL database BENCH_DATABASE_URL names (created, then dropped). Results and
their reading are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("cold", "inprocess", "http", "spending")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds")
    parser.add_argument("--requests", type=int, default=50, help="per variant per round")
    parser.add_argument("--seconds", type=int, default=1, help="per HTTP load run")
    parser.add_argument(
        "--generations",
        type=int,
        default=1_000_000,
        help="history for the usage figures on PostgreSQL (SQLite: a tenth)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    parts = [part for part in args.parts.split(",") if part]
    backends = [("SQLite", "", "")]
    if os.environ.get("BENCH_DATABASE_URL"):
        backends.append(
            ("PostgreSQL", os.environ["BENCH_DATABASE_URL"], os.environ.get("BENCH_REDIS_URL", ""))
        )
    else:
        print("(PostgreSQL skipped: set BENCH_DATABASE_URL, and BENCH_REDIS_URL for Redis)\n")
    _print_machine()
    if "cold" in parts:
        _spawn("cold", args, database_url="", redis_url="")
    for name, database_url, redis_url in backends:
        for part in ("inprocess", "http", "spending"):
            if part in parts:
                print(f"\n== {part} on {name}" + (" + Redis" if redis_url else ""))
                _spawn(part, args, database_url=database_url, redis_url=redis_url)


def _spawn(part: str, args: argparse.Namespace, *, database_url: str, redis_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="clipia-bench-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "PYTHONPATH": str(ROOT),
        }
        command = [
            sys.executable,
            __file__,
            f"--child={part}",
            f"--rounds={args.rounds}",
            f"--requests={args.requests}",
            f"--seconds={args.seconds}",
            f"--generations={args.generations}",
        ]
        subprocess.run(command, env=env, cwd=ROOT, check=True)


def _child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection

    from bench import report, seed

    if args.child == "cold":
        from bench import cold

        report.cold(cold.measure(samples=20))
        return
    name = seed.create_database()
    try:
        data = seed.seed()
        if args.child == "spending":
            from bench import spending

            generations = args.generations
            if connection.vendor == "sqlite":
                generations //= 10
            report.spending(spending.run(rounds=args.rounds, requests=5, generations=generations))
        elif args.child == "inprocess":
            from bench import inprocess

            report.inprocess(
                inprocess.run(data, rounds=args.rounds, requests=args.requests, cold_requests=2)
            )
        else:
            from bench import http_load

            report.http(http_load.run(data, rounds=args.rounds, seconds=args.seconds))
    finally:
        connection.close()
        seed.destroy_database(name)


def _print_machine() -> None:
    import platform

    import django
    import rest_framework

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(
        f"machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.__version__}, "
        f"DRF {rest_framework.__version__}; load average at start "
        + " ".join(f"{load:.2f}" for load in os.getloadavg())
    )


if __name__ == "__main__":
    # Run as a script, Python puts bench/ first on the path; the project root belongs there.
    sys.path[0] = str(ROOT)
    main()
