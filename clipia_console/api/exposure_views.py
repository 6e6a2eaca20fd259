"""``POST /v1/keys/revoke``: leaked-key intake, without authentication (see
apikeys.exposure). Always 202 with the number of keys received, never which existed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys import exposure
from apikeys.conf import conf
from apikeys.credentials import MAX_CREDENTIAL_LENGTH
from clipia_console.api.errors import TooManyReports
from clipia_console.api.serializers import StrictCharField
from clipia_console.lib import ratelimit
from clipia_console.lib.client_address import client_address, rate_limit_bucket


class ExposedKeys(serializers.Serializer[dict[str, Any]]):
    keys = serializers.ListField(
        child=StrictCharField(max_length=MAX_CREDENTIAL_LENGTH),
        allow_empty=False,
        max_length=exposure.MAX_KEYS_PER_REPORT,
    )


class RevokeExposedKeysView(APIView):
    authentication_classes = ()
    permission_classes = ()

    def post(self, request: Request) -> Response:
        address = client_address(request._request)
        retry_after = ratelimit.hit(
            f"exposure:addr:{rate_limit_bucket(address)}",
            limit=conf.EXPOSURE_REPORTS_PER_ADDRESS,
            window=conf.EXPOSURE_REPORT_WINDOW_SECONDS,
        )
        if retry_after is not None:
            raise TooManyReports(retry_after)
        body = ExposedKeys(data=request.data)
        body.is_valid(raise_exception=True)
        received = body.validated_data["keys"]
        exposure.report_exposed(received, client_address=address)
        return Response({"object": "exposure_report", "received": len(received)}, status=202)
