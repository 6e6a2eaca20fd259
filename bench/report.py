"""Printing the benchmark's results."""

from __future__ import annotations

from bench.cold import ColdResult
from bench.http_load import HttpResult
from bench.spending import SpendingResult

_NAMES = {
    "a": "no authentication",
    "b": "DRF TokenAuthentication",
    "c": "ours, warm key",
    "d": "ours, cold key (Argon2id)",
    "e": "ours, malformed key",
    "f": "ours, wrong secret, real id",
    "g": "ours, no key",
}


def inprocess(medians: dict[str, float]) -> None:
    base = medians["a"]
    print(f"{'variant':34} {'µs/request':>11} {'× (a)':>7}")
    for label, value in medians.items():
        print(f"({label}) {_NAMES[label]:30} {value:11.0f} {value / base:7.2f}")
    overhead = (medians["c"] - base) / (medians["b"] - base)
    print(f"warm overhead ratio (c − a)/(b − a) = {overhead:.2f}   (target ≤ 1.0, aim ≤ 0.5)")
    print(f"malformed vs no key (e)/(g) = {medians['e'] / medians['g']:.2f}   (target ≤ 1.1)")


def http(result: HttpResult) -> None:
    print(f"load generator: {result.generator}")
    print(f"{'':38} {'requests/s':>10} {'worker CPU µs/request':>22}")
    for name in result.rates:
        print(f"{name:38} {result.rates[name]:10.0f} {result.cpu_us[name]:22.0f}")
    versus_token, versus_none = result.paired_ratios
    print(f"throughput  ours / TokenAuthentication = {versus_token:.2f}   (target ≥ 0.95)")
    print(f"throughput  ours / no authentication   = {versus_none:.2f}   (aim ≥ 0.7)")
    print("            (medians of each round's ratio between neighbouring runs)")
    ours, token, none = result.cpu_us.values()
    print(
        f"CPU-bound   ours / TokenAuthentication = {token / ours:.2f}   (capacity, CPU per request)"
    )
    print(f"CPU-bound   ours / no authentication   = {none / ours:.2f}")


def cold(result: ColdResult) -> None:
    print(
        f"cold verification (Argon2id t={result.time_cost}, m={result.memory_cost_kib} KiB, "
        f"p={result.parallelism}): median {result.median_ms:.1f} ms, 90th percentile "
        f"{result.p90_ms:.1f} ms, max {result.max_ms:.1f} ms "
        f"over {result.samples}   (target ≤ 50 ms)"
    )
    print(
        f"memory: {result.memory_cost_kib / 1024:.1f} MiB by construction (memory_cost); "
        f"peak RSS grew {result.peak_rss_delta_kib / 1024:.1f} MiB over one verification "
        f"in a fresh process   (target ≤ 64 MiB)"
    )


def spending(result: SpendingResult) -> None:
    ratio = result.unbudgeted_us / result.budgeted_us
    print(f"POST /v1/models/{{model}}, live key under a budget: {result.budgeted_us:6.0f} µs")
    print(f"POST /v1/models/{{model}}, live key, no budget:      {result.unbudgeted_us:6.0f} µs")
    print(f"throughput  budgeted / no budget = {ratio:.2f}   (target ≥ 0.9)")
    print(f"usage figures with {result.generations} generations in the database:")
    for name, value in result.figures_ms.items():
        print(f"  {name:38} {value:7.2f} ms   (target < 50 ms)")
