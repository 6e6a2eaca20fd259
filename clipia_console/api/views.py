"""The /v1 endpoints that read (a generation is made in clipia_console.api.model_views).
Authentication and the error envelope come from DRF settings; a refusal is an exception,
answered by clipia_console.api.refusals."""

from __future__ import annotations

import uuid
from datetime import UTC

from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKey
from apikeys.permissions import requires_scope
from clipia_console.api.errors import (
    EndpointNotFound,
    InvalidRequest,
    ResourceNotFound,
)
from clipia_console.api.serializers import (
    generation_data,
    key_data,
    model_data,
)
from clipia_console.billing import credits, usage
from clipia_console.generations.models import Generation, VideoModel
from clipia_console.lib import clock

DEFAULT_USAGE_DAYS = 30
MAX_USAGE_DAYS = 90


def calling_key(request: Request) -> ApiKey:
    """The key that authenticated ``request``, in a view that requires one."""
    assert isinstance(request.auth, ApiKey)  # IsAuthenticated with ApiKeyAuthentication
    return request.auth


class AccountView(APIView):
    def get(self, request: Request) -> Response:
        key = calling_key(request)
        return Response(
            {
                "id": key.owner_id,
                "object": "account",
                "username": key.owner.get_username(),
                "credits": credits.balance_of(key.owner_id),
                "key": {
                    "prefix": key.display_prefix,
                    "environment": key.environment,
                    "name": key.name,
                    "scopes": key.scope_list,
                },
            }
        )


class KeyView(APIView):
    """GET /v1/key: the calling key, its limits and its budget. Any valid key."""

    def get(self, request: Request) -> Response:
        return Response(key_data(calling_key(request), clock.now()))


class UsageView(APIView):
    """GET /v1/usage?days=N: the account's usage in the key's environment."""

    permission_classes = (IsAuthenticated, requires_scope("read"))

    def get(self, request: Request) -> Response:
        key = calling_key(request)
        days = _days(request.query_params.get("days"))
        today = clock.now().astimezone(UTC).date()
        return Response(
            {
                "object": "usage",
                "environment": key.environment,
                "days": days,
                "data": usage.for_api(key.owner_id, key.environment, today, days),
            }
        )


class ModelListView(APIView):
    def get(self, request: Request) -> Response:
        models = VideoModel.objects.filter(is_active=True)
        return Response({"object": "list", "data": [model_data(model) for model in models]})


class GenerationView(APIView):
    def get(self, request: Request, generation_id: str) -> Response:
        key = calling_key(request)
        try:
            pk = uuid.UUID(generation_id)
        except ValueError:
            raise ResourceNotFound("No generation with that id.") from None
        generation = Generation.objects.filter(
            pk=pk, owner_id=key.owner_id, environment=key.environment
        ).first()
        if generation is None:
            raise ResourceNotFound("No generation with that id.")
        return Response(generation_data(generation))


class EndpointNotFoundView(APIView):
    """Unknown /v1 paths: 404 not_found in the envelope, before authentication, so the
    answer does not depend on the key."""

    authentication_classes = ()
    permission_classes = ()

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        raise EndpointNotFound()


def _days(value: str | None) -> int:
    if value is None:
        return DEFAULT_USAGE_DAYS
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_USAGE_DAYS:
        raise InvalidRequest(f"days must be a whole number from 1 to {MAX_USAGE_DAYS}.")
    return int(value)
