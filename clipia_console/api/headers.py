"""Response headers of every /v1 answer, set in one place.

Every /v1 answer (successes, errors, 404s for unknown paths, 401s, and what middleware
answers before a view runs) leaves through ``ApiResponseHeadersMiddleware``, the first
entry of MIDDLEWARE, which calls ``finalize``. Headers that depend on the calling key
(say an environment or budget header) belong in ``finalize`` too: DRF copies the
authenticated key onto the Django request as ``request.auth``; it is absent when
authentication never ran or failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.request import Request

from clipia_console.api.errors import is_api_request

if TYPE_CHECKING:
    from clipia_console.api.limits import GenerationLimit

# Answers depend on the credentials, which come in either header: no shared cache may
# store them (a key's account, generations, errors) or answer one key with another's.
CACHE_CONTROL = "no-store"
VARY = ("Authorization", "X-Api-Key")
_GENERATION_LIMIT = "clipia_generation_limit"


class ApiResponseHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_request(request):
            finalize(request, response)
        return response


def finalize(request: HttpRequest, response: HttpResponse) -> None:
    """Give a /v1 answer the headers every /v1 answer carries."""
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, VARY)
    standing: GenerationLimit | None = getattr(request, _GENERATION_LIMIT, None)
    if standing is not None:
        for name, value in rate_limit_headers(standing).items():
            response[name] = value


def remember_generation_limit(request: HttpRequest | Request, standing: GenerationLimit) -> None:
    """Tell the client ``standing`` on whatever this request answers (201, 402, 409, 429).
    Kept on Django's request, the one the middleware sees."""
    django_request = request._request if isinstance(request, Request) else request
    setattr(django_request, _GENERATION_LIMIT, standing)


def rate_limit_headers(standing: GenerationLimit) -> dict[str, str]:
    """The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy, quota
    ``q`` per window ``w`` seconds, and what remains, ``r``, for ``t`` more seconds."""
    return {
        "RateLimit-Policy": f'"{standing.policy}";q={standing.limit};w={standing.window}',
        "RateLimit": f'"{standing.policy}";r={standing.remaining};t={standing.reset}',
    }
