"""The /v1 endpoints. Authentication and the error envelope come from DRF settings;
the work lives in ``credits`` and ``generations``."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import controls
from apikeys import exceptions as key_refusals
from apikeys.authentication import KeyRefused
from apikeys.models import ApiKey
from apikeys.permissions import FromAllowedAddress, address_refused_message, requires_scope
from clipia_console.api import headers, idempotency
from clipia_console.api.errors import (
    ApiError,
    EndpointNotFound,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidRequest,
    KeyBudgetExceeded,
    KeyPaused,
    ModelNotAllowed,
    ModelNotFound,
    RateLimited,
    ResourceNotFound,
    envelope,
)
from clipia_console.api.serializers import (
    GenerationRequest,
    generation_data,
    key_data,
    model_data,
)
from clipia_console.billing import budgets, credits, spending, usage
from clipia_console.generations import request_limits
from clipia_console.generations import services as generations
from clipia_console.generations.models import MODEL_ID_MAX_LENGTH, Generation, VideoModel
from clipia_console.lib import clock
from clipia_console.lib.client_address import client_address

DEFAULT_USAGE_DAYS = 30
MAX_USAGE_DAYS = 90


def _key(request: Request) -> ApiKey:
    assert isinstance(request.auth, ApiKey)  # IsAuthenticated with ApiKeyAuthentication
    return request.auth


class AccountView(APIView):
    def get(self, request: Request) -> Response:
        key = _key(request)
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
        return Response(key_data(_key(request), clock.now()))


class UsageView(APIView):
    """GET /v1/usage?days=N: the account's usage in the key's environment."""

    permission_classes = (IsAuthenticated, FromAllowedAddress, requires_scope("read"))

    def get(self, request: Request) -> Response:
        key = _key(request)
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


class ModelView(APIView):
    permission_classes = (
        IsAuthenticated,
        FromAllowedAddress,
        requires_scope("generate", methods=("POST",)),
    )

    def get(self, request: Request, model_id: str) -> Response:
        return Response(model_data(_active_model(model_id)))

    def post(self, request: Request, model_id: str) -> HttpResponse:
        model = _active_model(model_id)
        _check_may_generate(request, model)
        idempotency_key = _idempotency_key(request)
        body = GenerationRequest(data=request.data, model=model)
        body.is_valid(raise_exception=True)
        _count_generation(request, _key(request))
        if idempotency_key is not None:
            response = _generate_once(request, model, body.validated_data, idempotency_key)
        else:
            status, data = _generate(_key(request), model, body.validated_data)
            response = Response(data, status=status)
        if not response.has_header("Idempotent-Replayed"):
            response[budgets.CHARGED_HEADER] = str(_charged(response))
        return response


class GenerationView(APIView):
    def get(self, request: Request, generation_id: str) -> Response:
        key = _key(request)
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


_IN_FLIGHT = (
    "A request with this Idempotency-Key is still in flight. Wait for its answer, then "
    "retry with the same key to get that answer."
)


def _idempotency_key(request: Request) -> str | None:
    try:
        return idempotency.key_from_header(request.headers.get(idempotency.HEADER))
    except idempotency.InvalidIdempotencyKey:
        raise InvalidRequest(
            "The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID."
        ) from None


def _generate_once(
    request: Request, model: VideoModel, validated: dict[str, Any], idempotency_key: str
) -> HttpResponse:
    """_generate under an Idempotency-Key: the first request does the work and stores its
    answer in the same transaction as the charge; a retry gets that answer back."""
    key = _key(request)
    outcome = _claim(key, idempotency_key, idempotency.fingerprint(model.id, request.data))
    if isinstance(outcome, idempotency.Replay):
        replay = HttpResponse(
            outcome.body, status=outcome.status_code, content_type="application/json"
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
    try:
        with transaction.atomic():
            status, data = _generate(key, model, validated)
            idempotency.finish(outcome, status, JSONRenderer().render(data).decode())
    except idempotency.InFlight:
        # Another request took the claim over; our charge rolled back with the atomic block.
        raise IdempotencyConflict(_IN_FLIGHT) from None
    except BaseException:
        idempotency.let_go(outcome)
        raise
    return Response(data, status=status)


def _claim(
    key: ApiKey, idempotency_key: str, fingerprint: str
) -> idempotency.Claim | idempotency.Replay:
    try:
        return idempotency.begin(
            account_id=key.owner_id,
            environment=key.environment,
            key=idempotency_key,
            request_fingerprint=fingerprint,
        )
    except idempotency.KeyReused:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request (another model "
            "or body). Use a new key for a new request."
        ) from None
    except idempotency.InFlight:
        raise IdempotencyConflict(_IN_FLIGHT) from None


def _generate(key: ApiKey, model: VideoModel, validated: dict[str, Any]) -> tuple[int, Any]:
    """Create the generation: (201, the generation) or (402, the error envelope), the two
    answers an Idempotency-Key remembers."""
    params = {name: value for name, value in validated.items() if name != "prompt"}
    try:
        generation = generations.create(
            api_key=key, model=model, prompt=validated["prompt"], params=params
        )
    except credits.InsufficientCredits as refused:
        # The balance the charge saw: 0 for the sandbox's rehearsal, as on an empty account.
        error: ApiError = InsufficientCredits(
            f"{model.id} costs {model.price_credits} credits and your balance is "
            f"{refused.balance}. Nothing was charged."
        )
        return error.status_code, envelope(str(error.default_code), str(error.detail))
    except spending.BudgetExceeded:
        error = KeyBudgetExceeded(budgets.exceeded_message(key, model.price_credits, clock.now()))
        return error.status_code, envelope(str(error.default_code), str(error.detail))
    except key_refusals.KeyPaused:
        raise KeyPaused() from None
    except spending.KeyNoLongerValid:
        raise KeyRefused() from None
    except request_limits.TooManyGenerations as refused:
        raise RateLimited(str(refused), wait=refused.wait) from None
    return 201, generation_data(generation)


def _count_generation(request: Request, key: ApiKey) -> None:
    """Count the request against the key's generation limit; whatever it answers (201,
    402, 409, 429) tells the client where the key stands."""
    try:
        standing = request_limits.count_generation(key)
    except request_limits.TooManyGenerations as refused:
        assert refused.standing is not None
        headers.remember_generation_limit(request, refused.standing)
        raise RateLimited(str(refused), wait=refused.wait) from None
    headers.remember_generation_limit(request, standing)


def _charged(response: HttpResponse) -> int:
    data = getattr(response, "data", None)
    if response.status_code == 201 and isinstance(data, dict):
        return int(data["cost"])
    return 0


def _check_may_generate(request: Request, model: VideoModel) -> None:
    """apikeys.controls.may_generate, as /v1 errors. The charge checks the pause again,
    under the row's lock."""
    try:
        controls.may_generate(_key(request), model.id, client_address(request._request))
    except key_refusals.AddressNotAllowed as refused:
        raise PermissionDenied(address_refused_message(refused), code="ip_not_allowed") from None
    except key_refusals.KeyPaused:
        raise KeyPaused() from None
    except key_refusals.ModelNotAllowed as refused:
        allowed = ", ".join(refused.allowed) or "none"
        raise ModelNotAllowed(
            f"This key may not use {model.id}; it may use: {allowed}. Nothing was charged."
        ) from None


def _days(value: str | None) -> int:
    if value is None:
        return DEFAULT_USAGE_DAYS
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_USAGE_DAYS:
        raise InvalidRequest(f"days must be a whole number from 1 to {MAX_USAGE_DAYS}.")
    return int(value)


def _active_model(model_id: str) -> VideoModel:
    # PostgreSQL refuses NUL in text (a DataError, so a 500) and ids are short: neither can
    # name a model, so no query.
    if "\x00" in model_id or len(model_id) > MODEL_ID_MAX_LENGTH:
        raise ModelNotFound()
    model = VideoModel.objects.filter(pk=model_id, is_active=True).first()
    if model is None:
        raise ModelNotFound()
    return model
