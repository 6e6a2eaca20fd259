"""Per-key limits on generation requests (POST /v1/models/{model}).

Each valid generation request counts against its key in a one-minute fixed window,
shared by every worker through apikeys.ratelimit (Redis); idempotent retries count too,
since each is a request the key sent. The limit is the key's own
``generation_rate_limit`` when staff set one, else its environment's default
(CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE / _TEST). Past it: 429 rate_limited with
Retry-After, nothing generated or charged. Requests that do not generate (GETs, refused
bodies) never touch the counter, so the request path stays one query and no cache access.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rest_framework.request import Request

from apikeys.models import ApiKey
from clipia_console.api import headers
from clipia_console.api.errors import RateLimited
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


def limit_for(api_key: ApiKey) -> int:
    """The key's generation requests per minute."""
    if api_key.generation_rate_limit is not None:
        return int(api_key.generation_rate_limit)
    if api_key.environment == ApiKey.Environment.LIVE:
        return int(settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE)
    return int(settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_TEST)


def count_generation(request: Request, api_key: ApiKey) -> None:
    """Count one generation request for ``api_key`` and remember its standing on
    ``request`` (headers.finalize tells the client); RateLimited past the key's limit."""
    limit = limit_for(api_key)
    bucket = f"generate:key:{api_key.pk}"
    wait = ratelimit.hit(bucket, limit=limit, window=WINDOW_SECONDS)
    used, reset = ratelimit.current(bucket, window=WINDOW_SECONDS)
    headers.remember_generation_limit(
        request,
        GenerationLimit(
            policy=POLICY,
            limit=limit,
            window=WINDOW_SECONDS,
            remaining=0 if wait is not None else max(0, limit - used),
            reset=reset if wait is None else wait,
        ),
    )
    if wait is not None:
        raise too_many_generations(limit, wait)


def too_many_generations(limit: int, wait: int) -> RateLimited:
    """The 429 past a key's generation limit; the sandbox's rate-limited prompt raises it too."""
    return RateLimited(
        f"This key may send {limit} generation requests a minute. Retry after {wait} "
        "seconds. Nothing was generated or charged.",
        wait=wait,
    )
