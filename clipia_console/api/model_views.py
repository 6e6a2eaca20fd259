"""``GET`` and ``POST /v1/models/{model}``: a model, and a generation from it.

A generation request is refused, in this order, for its key's controls (one stage,
apikeys.controls.may_generate), its Idempotency-Key header, its body, and its key's
generation limit; then generations.create charges (the charge's conditional UPDATE stays
the final guard) and creates it. Every refusal is a domain exception, answered by
clipia_console.api.refusals; what the answer's headers say is noted in its outcome.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import controls
from apikeys.models import ApiKey
from apikeys.permissions import requires_scope
from clipia_console.api import idempotency
from clipia_console.api.envelope import rendered
from clipia_console.api.errors import ModelNotFound
from clipia_console.api.outcome import outcome_of
from clipia_console.api.refusals import render
from clipia_console.api.serializers import GenerationRequest, generation_data, model_data
from clipia_console.api.views import calling_key
from clipia_console.billing import credits, spending
from clipia_console.generations import request_limits
from clipia_console.generations import services as generations
from clipia_console.generations.models import MODEL_ID_MAX_LENGTH, VideoModel
from clipia_console.lib.client_address import client_address

# The refusals an Idempotency-Key remembers, with the generations it created: the charge
# decided them. Anything refused earlier can be fixed and retried under the same key.
REMEMBERED = (credits.InsufficientCredits, spending.BudgetExceeded)


class ModelView(APIView):
    permission_classes = (
        IsAuthenticated,
        requires_scope("generate", methods=("POST",)),
    )

    def get(self, request: Request, model_id: str) -> Response:
        return Response(model_data(_active_model(model_id)))

    def post(self, request: Request, model_id: str) -> HttpResponse:
        key, model = calling_key(request), _active_model(model_id)
        outcome = outcome_of(request)
        outcome.model = model
        controls.may_generate(key, model.id, client_address(request._request))
        idempotency_key = idempotency.key_from_header(request.headers.get(idempotency.HEADER))
        body = GenerationRequest(data=request.data, model=model)
        body.is_valid(raise_exception=True)
        _count_generation(request, key)
        if idempotency_key is None:
            response: HttpResponse = _generate(request, key, model, body.validated_data)
        else:
            response = _generate_once(request, model, body.validated_data, idempotency_key)
        if not outcome.replayed:
            outcome.charged = _charged(response)
        return response


def _count_generation(request: Request, key: ApiKey) -> None:
    """Count the request against the key's generation limit; whatever it answers (201,
    402, 409, 429) tells the client where the key stands."""
    outcome = outcome_of(request)
    try:
        outcome.generation_limit = request_limits.count_generation(key)
    except request_limits.TooManyGenerations as refused:
        outcome.generation_limit = refused.standing
        raise


def _generate_once(
    request: Request, model: VideoModel, validated: dict[str, Any], idempotency_key: str
) -> HttpResponse:
    """_generate under an Idempotency-Key: the first request does the work and stores its
    answer in the same transaction as the charge; a retry gets that answer back."""
    key = calling_key(request)
    claim = idempotency.begin(
        account_id=key.owner_id,
        environment=key.environment,
        key=idempotency_key,
        request_fingerprint=idempotency.fingerprint(model.id, request.data),
    )
    if isinstance(claim, idempotency.Replay):
        outcome_of(request).replayed = True
        return HttpResponse(claim.body, status=claim.status_code, content_type="application/json")
    try:
        with transaction.atomic():
            response = _generate(request, key, model, validated)
            idempotency.finish(claim, response.status_code, response.content.decode())
    except idempotency.InFlight:
        raise  # another request took the claim over; our charge rolled back with it
    except BaseException:
        idempotency.let_go(claim)
        raise
    return response


def _generate(
    request: Request, key: ApiKey, model: VideoModel, validated: dict[str, Any]
) -> Response:
    """Create the generation: 201 and the generation, or the charge's refusal (402), both
    rendered, the two answers an Idempotency-Key remembers. Other refusals are raised."""
    params = {name: value for name, value in validated.items() if name != "prompt"}
    try:
        generation = generations.create(
            api_key=key, model=model, prompt=validated["prompt"], params=params
        )
    except REMEMBERED as refused:
        return render(refused, request)
    return rendered(generation_data(generation), 201)


def _charged(response: HttpResponse) -> int:
    data = getattr(response, "data", None)
    if response.status_code == 201 and isinstance(data, dict):
        return int(data["cost"])
    return 0


def _active_model(model_id: str) -> VideoModel:
    # PostgreSQL refuses NUL in text (a DataError, so a 500) and ids are short: neither can
    # name a model, so no query.
    if "\x00" in model_id or len(model_id) > MODEL_ID_MAX_LENGTH:
        raise ModelNotFound()
    model = VideoModel.objects.filter(pk=model_id, is_active=True).first()
    if model is None:
        raise ModelNotFound()
    return model
