"""In-process benchmark: the trivial DRF view through Django's WSGI handler (the whole
middleware stack, request signals included, as gunicorn would call it), in interleaved
rounds of the seven variants of issue 6."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIHandler

from apikeys import keys
from apikeys.models import ApiKey
from bench.seed import Seed

Headers = dict[str, str]


@dataclass(frozen=True)
class Variant:
    label: str
    name: str
    path: str
    headers: Headers
    status: int
    # Run before every request: the cold variant forgets what this process verified.
    before: Callable[[], None] | None = None


def variants(seed: Seed) -> list[Variant]:
    parsed = keys.parse_key(seed.raw_key)
    assert parsed is not None
    wrong_secret = keys.generate_key(parsed.environment, parsed.lookup_id)
    malformed = seed.raw_key[:-1] + ("A" if seed.raw_key[-1] != "A" else "B")
    ours = "/bench/trivial/apikey"
    return [
        Variant("a", "no authentication", "/bench/trivial/none", {}, 200),
        Variant("b", "DRF TokenAuthentication", "/bench/trivial/token", _token(seed), 200),
        Variant("c", "ours, warm key", ours, _bearer(seed.raw_key), 200),
        Variant(
            "d",
            "ours, key without verifier (Argon2id)",
            ours,
            _bearer(seed.raw_key),
            200,
            _no_verifier,
        ),
        Variant("e", "ours, malformed key", ours, _bearer(malformed), 401),
        Variant("f", "ours, wrong secret", ours, _bearer(wrong_secret), 401),
        Variant("g", "ours, no key", ours, {}, 401),
    ]


def run(seed: Seed, *, rounds: int, requests: int, cold_requests: int) -> dict[str, float]:
    """Median µs per request of each variant, keyed by its letter.

    The median of single requests, interleaved in small batches, so that a burst of load
    from other processes on the machine shifts every variant alike or lands in the tails.
    """
    handler = WSGIHandler()
    all_variants = variants(seed)
    for variant in all_variants:  # warm-up, and a check that each variant answers as expected
        status = call(handler, variant)
        assert status == variant.status, f"{variant.name}: HTTP {status}, not {variant.status}"
    samples: dict[str, list[float]] = {variant.label: [] for variant in all_variants}
    for _ in range(rounds):
        for variant in all_variants:
            for _ in range(cold_requests if variant.before is not None else requests):
                if variant.before is not None:
                    variant.before()
                started = time.perf_counter()
                call(handler, variant)
                samples[variant.label].append((time.perf_counter() - started) * 1e6)
    return {label: statistics.median(values) for label, values in samples.items()}


def call(handler: WSGIHandler, variant: Variant) -> int:
    return request(handler, "GET", variant.path, variant.headers)


def request(
    handler: WSGIHandler, method: str, path: str, headers: Headers, body: bytes = b""
) -> int:
    """One request through Django's WSGI handler, as a WSGI server would make it; its
    status code."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        **headers,
    }
    if body:
        environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
    statuses: list[int] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        statuses.append(int(status.split(" ", 1)[0]))
        return lambda data: None

    response = handler(environ, start_response)
    b"".join(response)
    response.close()  # fires request_finished, as a WSGI server does
    return statuses[0]


def _bearer(raw_key: str) -> Headers:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}


def _token(seed: Seed) -> Headers:
    return {"HTTP_AUTHORIZATION": f"Token {seed.token}"}


def _no_verifier() -> None:
    """A key stored before verifiers existed (or under a retired pepper): the one request
    path that still runs Argon2id, once, to derive a verifier."""
    ApiKey.objects.update(verifier="")
