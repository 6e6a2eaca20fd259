"""Documenting a new /v1 endpoint: one drf-spectacular extension, and it may be public."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from clipia_console.api.openapi.schema import documented, operation


class PublicView(APIView):
    """Stands for an endpoint without authentication, like POST /v1/keys/revoke."""

    authentication_classes = ()
    permission_classes = ()

    def post(self, request: Any) -> Response:
        return Response(status=202)


class PublicViewSchema(OpenApiViewExtension):
    target_class = PublicView

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            post=operation(
                operation_id="public_thing",
                summary="A public thing",
                description="Needs nothing.",
                tag="Keys",
                authenticated=False,
                success={202: OpenApiResponse(description="Accepted.")},
                errors=["invalid_request"],
            ),
        )


def test_a_new_endpoint_is_documented_with_one_extension_and_may_be_public() -> None:
    generator = SchemaGenerator(patterns=[path("v1/public", PublicView.as_view())])

    op = generator.get_schema(request=None, public=True)["paths"]["/v1/public"]["post"]

    assert "security" not in op
    assert sorted(op["responses"]) == ["202", "400", "413", "429", "503"]  # no body: no 411
    assert "Clipia-Environment" not in op["responses"]["202"]["headers"]
    assert "Needs no API key." in op["description"]
