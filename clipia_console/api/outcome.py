"""What a /v1 request came to, beyond its body: kept on Django's request by the view and
the refusal renderer, read once by clipia_console.api.headers to set the answer's headers
(a refusal's own, Retry-After and WWW-Authenticate, come with it from the refusal table).
This is the one place to count outcomes (refusals by code, charges, replays)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from clipia_console.generations.models import VideoModel
    from clipia_console.generations.request_limits import GenerationLimit

_ATTRIBUTE = "clipia_outcome"


@dataclass(slots=True)
class Refused:
    """The refusal the answer renders (clipia_console.api.refusals)."""

    status: int
    code: str


@dataclass(slots=True)
class ApiOutcome:
    """``model``: the model a generation request asked for (its refusals name its price);
    ``generation_limit``: where the key stands under its generation limit, told on whatever
    the request answers once counted; ``charged``: credits this answer charged (None when it
    is not a generation's answer); ``replayed``: an Idempotency-Key's stored answer;
    ``refused``: the refusal rendered, if any."""

    model: VideoModel | None = None
    generation_limit: GenerationLimit | None = None
    charged: int | None = None
    replayed: bool = False
    refused: Refused | None = None


def outcome_of(request: HttpRequest | Request) -> ApiOutcome:
    """The request's outcome, made on first use. Kept on Django's request, the one the
    middleware sees, whether DRF's Request or Django's is at hand."""
    django_request = request._request if isinstance(request, Request) else request
    found = getattr(django_request, _ATTRIBUTE, None)
    if found is None:
        found = ApiOutcome()
        setattr(django_request, _ATTRIBUTE, found)
    assert isinstance(found, ApiOutcome)
    return found
