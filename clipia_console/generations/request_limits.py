"""Per-key limits on generation requests (POST /v1/models/{model}).

Each valid generation request counts against its key in a one-minute fixed window,
shared by every worker through clipia_console.lib.ratelimit (Redis); idempotent retries
count too, since each is a request the key sent. The limit is the key's own
``generation_rate_limit`` when staff set one, else its environment's default
(CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE / _TEST). Past it: TooManyGenerations (429
rate_limited with Retry-After on /v1), nothing generated or charged. Requests that do not
generate (GETs, refused bodies) never touch the counter, so the request path stays one
query and no cache access.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apikeys.models import ApiKey
from clipia_console.lib import ratelimit

WINDOW_SECONDS = 60
POLICY = "generate"


@dataclass(frozen=True, slots=True)
class GenerationLimit:
    """Where a key stands under the policy named ``policy``: ``limit`` requests per
    ``window`` seconds, ``remaining`` of them left, ``reset`` seconds until the window ends."""

    policy: str
    limit: int
    window: int
    remaining: int
    reset: int


class TooManyGenerations(Exception):
    """Past the key's generation limit (``limit`` a minute): retry after ``wait`` seconds.
    ``standing`` is the key's standing when refused; None for the sandbox's rehearsal."""

    def __init__(self, limit: int, wait: int, standing: GenerationLimit | None = None) -> None:
        super().__init__(
            f"This key may send {limit} generation requests a minute. Retry after {wait} "
            "seconds. Nothing was generated or charged."
        )
        self.limit = limit
        self.wait = wait
        self.standing = standing


def limit_for(api_key: ApiKey) -> int:
    """The key's generation requests per minute."""
    if api_key.generation_rate_limit is not None:
        return int(api_key.generation_rate_limit)
    if api_key.environment == ApiKey.Environment.LIVE:
        return int(settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE)
    return int(settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_TEST)


def count_generation(api_key: ApiKey) -> GenerationLimit:
    """Count one generation request for ``api_key`` and return its standing (which the
    answer tells the client); TooManyGenerations, carrying it, past the key's limit."""
    limit = limit_for(api_key)
    bucket = f"generate:key:{api_key.pk}"
    wait = ratelimit.hit(bucket, limit=limit, window=WINDOW_SECONDS)
    used, reset = ratelimit.current(bucket, window=WINDOW_SECONDS)
    standing = GenerationLimit(
        policy=POLICY,
        limit=limit,
        window=WINDOW_SECONDS,
        remaining=0 if wait is not None else max(0, limit - used),
        reset=reset if wait is None else wait,
    )
    if wait is not None:
        raise TooManyGenerations(limit, wait, standing)
    return standing
