"""The /v1 endpoints. Authentication and the error envelope come from DRF settings;
the work lives in ``credits`` and ``generations``."""

from __future__ import annotations

import uuid

from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKey
from apikeys.permissions import requires_scope
from clipia_console.api import credits, generations
from clipia_console.api.errors import InsufficientCredits, ModelNotFound, ResourceNotFound
from clipia_console.api.models import Generation, VideoModel
from clipia_console.api.serializers import GenerationRequest, generation_data, model_data


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


class ModelListView(APIView):
    def get(self, request: Request) -> Response:
        models = VideoModel.objects.filter(is_active=True)
        return Response({"object": "list", "data": [model_data(model) for model in models]})


class ModelView(APIView):
    permission_classes = (IsAuthenticated, requires_scope("generate", methods=("POST",)))

    def get(self, request: Request, model_id: str) -> Response:
        return Response(model_data(_active_model(model_id)))

    def post(self, request: Request, model_id: str) -> Response:
        model = _active_model(model_id)
        body = GenerationRequest(data=request.data, model=model)
        body.is_valid(raise_exception=True)
        params = {name: value for name, value in body.validated_data.items() if name != "prompt"}
        try:
            generation = generations.create(
                api_key=_key(request),
                model=model,
                prompt=body.validated_data["prompt"],
                params=params,
            )
        except credits.InsufficientCredits:
            raise InsufficientCredits(
                f"{model.id} costs {model.price_credits} credits and your balance is "
                f"{credits.balance_of(_key(request).owner_id)}. Nothing was charged."
            ) from None
        return Response(generation_data(generation), status=201)


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
        raise ResourceNotFound("No such endpoint. See the API reference for /v1.")


def _active_model(model_id: str) -> VideoModel:
    model = VideoModel.objects.filter(pk=model_id, is_active=True).first()
    if model is None:
        raise ModelNotFound()
    return model
