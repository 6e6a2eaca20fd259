"""What each /v1 view's operations are, say and answer: one ``OpenApiViewExtension`` per
view (see ``schema`` for how to add one). drf-spectacular finds them once this module is
imported, which ``view`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.views import APIView

from clipia_console.api.openapi.request_bodies import EXPOSED_KEYS_REQUEST, GENERATION_REQUEST
from clipia_console.api.openapi.schema import (
    IDEMPOTENCY_KEY,
    TAG_ACCOUNT,
    TAG_GENERATIONS,
    TAG_KEYS,
    TAG_MODELS,
    documented,
    ok,
    operation,
)
from clipia_console.api.views import DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS
from clipia_console.generations import request_limits


class AccountViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.views.AccountView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="get_account",
                summary="The account and the calling key",
                description="Account id, username, credit balance, and the prefix, "
                "environment, name and scopes of the key that made the request.",
                tag=TAG_ACCOUNT,
                success={200: ok("Account", "The account.")},
            ),
        )


class KeyViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.views.KeyView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="get_key",
                summary="The calling key",
                description="What the key that made the request is and may do: scopes, "
                "expiry, pause, allowed models and addresses, and its budget with what is "
                "spent and left in the current window.",
                tag=TAG_ACCOUNT,
                success={200: ok("ApiKey", "The key.")},
            ),
        )


DAYS = OpenApiParameter(
    "days",
    {"type": "integer", "minimum": 1, "maximum": MAX_USAGE_DAYS, "default": DEFAULT_USAGE_DAYS},
    OpenApiParameter.QUERY,
    description=f"How many UTC days back, today included (1 to {MAX_USAGE_DAYS}).",
)


class UsageViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.views.UsageView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="get_usage",
                summary="Usage per day, key and model",
                description="The account's generations and credits per UTC day, key and "
                "model, in the calling key's environment.",
                tag=TAG_ACCOUNT,
                scope="read",
                parameters=[DAYS],
                success={200: ok("Usage", "The usage.")},
                errors=["insufficient_scope"],
            ),
        )


class ModelListViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.views.ModelListView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="list_models",
                summary="The model catalog",
                description="Every available model with its price in credits.",
                tag=TAG_MODELS,
                success={200: ok("ModelList", "The catalog.")},
            ),
        )


MODEL_ID = OpenApiParameter(
    "model_id",
    str,
    OpenApiParameter.PATH,
    description="A model id from the catalog; ids contain a slash, e.g. clipia/motion-v1.",
    examples=[OpenApiExample("motion", value="clipia/motion-v1")],
)


class ModelViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.model_views.ModelView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="get_model",
                summary="One model",
                description="One model of the catalog.",
                tag=TAG_MODELS,
                parameters=[MODEL_ID],
                success={200: ok("Model", "The model.")},
                # not_found: an id with a line break names no endpoint at all.
                errors=["model_not_found", "not_found"],
            ),
            post=_create_generation(),
        )


def _create_generation() -> Callable[[Any], Any]:
    generation = OpenApiExample(
        "sandbox",
        value={"prompt": "a red fox running through fresh snow", "duration_seconds": 5},
        request_only=True,
    )
    return operation(
        operation_id="create_generation",
        summary="Create a generation",
        description="Starts a video generation with this model. A live key is "
        "charged the model's price at once and the generation is `queued`; a test "
        "key's generation is `succeeded` at once with a mock result and costs 0 "
        "(its budget counts the live price). Send an `Idempotency-Key` so that a "
        "retry can never charge twice. Each request counts against the key's limit "
        "of generation requests per minute (the RateLimit headers say where it "
        "stands).",
        tag=TAG_GENERATIONS,
        scope="generate",
        rate_limit=request_limits.POLICY,
        request={"application/json": GENERATION_REQUEST},
        parameters=[MODEL_ID, IDEMPOTENCY_KEY],
        examples=[generation],
        success={201: ok("Generation", "The new generation.")},
        errors=[
            *("insufficient_credits", "key_budget_exceeded", "insufficient_scope"),
            *("key_paused", "model_not_allowed", "model_not_found", "not_found"),
            "idempotency_conflict",
        ],
    )


class GenerationViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.views.GenerationView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            get=operation(
                operation_id="get_generation",
                summary="One generation",
                description="Status and result of one of your generations, in the calling "
                "key's environment. Poll it until `status` is `succeeded` or `failed`.",
                tag=TAG_GENERATIONS,
                parameters=[
                    OpenApiParameter("generation_id", {"type": "string", "format": "uuid"}, "path")
                ],
                success={200: ok("Generation", "The generation.")},
                errors=["not_found"],
            ),
        )


class RevokeExposedKeysViewSchema(OpenApiViewExtension):
    target_class = "clipia_console.api.exposure_views.RevokeExposedKeysView"

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            post=operation(
                operation_id="report_exposed_keys",
                summary="Report leaked keys",
                description="For anyone who finds Clipia keys exposed (secret scanners "
                "included): each real, unrevoked key is revoked and its owner told. The "
                "answer is the same whether or not any key existed. Limited per address.",
                tag=TAG_KEYS,
                authenticated=False,
                request={"application/json": EXPOSED_KEYS_REQUEST},
                examples=[
                    OpenApiExample(
                        "report",
                        value={"keys": ["clipia_live_4f9Kq2XbLm0Z…"]},
                        request_only=True,
                    )
                ],
                success={202: ok("ExposureReport", "Received.")},
            ),
        )
