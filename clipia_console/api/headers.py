"""Response headers of every /v1 answer, set in one place.

Every /v1 answer (successes, errors, 404s for unknown paths, 401s, and what middleware
answers before a view runs) leaves through ``ApiResponseHeadersMiddleware``, the first
entry of MIDDLEWARE, which calls ``finalize``. Views set no header: they note what
happened in the request's outcome (clipia_console.api.outcome), and ``finalize`` writes
its headers; only a refusal's own (Retry-After, WWW-Authenticate) come with it, from the
refusal table. Headers that depend on the calling key (say an
environment or budget header) belong in ``finalize`` too: DRF copies the authenticated
key onto the Django request as ``request.auth``; it is absent when authentication never
ran or failed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from apikeys.models import ApiKey
from clipia_console.api.envelope import is_api_request
from clipia_console.api.outcome import ApiOutcome, outcome_of
from clipia_console.billing import budgets
from clipia_console.generations.request_limits import GenerationLimit
from clipia_console.lib import clock

# Answers depend on the credentials, which come in either header: no shared cache may
# store them (a key's account, generations, errors) or answer one key with another's.
CACHE_CONTROL = "no-store"
VARY = ("Authorization", "X-Api-Key")
REPLAYED_HEADER = "Idempotent-Replayed"


class ApiResponseHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_request(request):
            finalize(request, response)
        return response


def finalize(request: HttpRequest, response: HttpResponse) -> None:
    """Give a /v1 answer the headers every /v1 answer carries, an authenticated one those
    about its key, from the row authentication read (no query), and those its outcome
    calls for."""
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, VARY)
    api_key = getattr(request, "auth", None)
    if isinstance(api_key, ApiKey):
        for name, value in key_headers(api_key).items():
            response[name] = value
    for name, value in outcome_headers(outcome_of(request)).items():
        response[name] = value


def outcome_headers(outcome: ApiOutcome) -> dict[str, str]:
    """The key's generation limit once counted, whatever the answer (201, 402, 409, 429);
    what a generation charged, unless the answer is a replay, which charged nothing and
    says so. A refusal's own headers come with it (clipia_console.api.refusals)."""
    found: dict[str, str] = {}
    if outcome.generation_limit is not None:
        found.update(rate_limit_headers(outcome.generation_limit))
    if outcome.replayed:
        found[REPLAYED_HEADER] = "true"
    elif outcome.charged is not None:
        found[budgets.CHARGED_HEADER] = str(outcome.charged)
    return found


def key_headers(api_key: ApiKey) -> dict[str, str]:
    """The calling key's environment; for a key that expires, when (as GitHub's
    GitHub-Authentication-Token-Expiration), so clients can warn ahead; for a budgeted key,
    its budget (clipia_console.billing.budgets). All from the row authentication read."""
    headers = {"Clipia-Environment": str(api_key.environment)}
    if api_key.expires_at is not None:
        headers["Clipia-Key-Expires"] = api_key.expires_at.astimezone(UTC).isoformat()
    headers.update(budgets.headers(api_key, clock.now()))
    return headers


def rate_limit_headers(standing: GenerationLimit) -> dict[str, str]:
    """The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy, quota
    ``q`` per window ``w`` seconds, and what remains, ``r``, for ``t`` more seconds."""
    return {
        "RateLimit-Policy": f'"{standing.policy}";q={standing.limit};w={standing.window}',
        "RateLimit": f'"{standing.policy}";r={standing.remaining};t={standing.reset}',
    }
