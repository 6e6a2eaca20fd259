"""Benchmark-only views: the same work under different authentication classes.

``TrivialView`` is the issue's "trivial DRF view". The ``Account*`` views run the real
``/v1/account`` view code (``AccountView.get``) under DRF's TokenAuthentication or under
no authentication at all; both hand the view this process's copy of the benchmark key, so
the view itself does identical work in every variant and only authentication differs.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.authentication import ApiKeyAuthentication
from apikeys.models import ApiKey
from clipia_console.api.views import AccountView

_bench_key: ApiKey | None = None


def bench_key() -> ApiKey:
    """The benchmark key, loaded once per process (so it costs nothing per request)."""
    global _bench_key
    if _bench_key is None:
        _bench_key = ApiKey.objects.select_related("owner").order_by("pk").first()
        assert _bench_key is not None, "run bench/run.py: it seeds the benchmark database"
    return _bench_key


class TrivialView(APIView):
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class TrivialNoAuthView(TrivialView):
    authentication_classes = ()
    permission_classes = (AllowAny,)


class TrivialTokenView(TrivialView):
    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)


class TrivialApiKeyView(TrivialView):
    authentication_classes = (ApiKeyAuthentication,)
    permission_classes = (IsAuthenticated,)


class AccountTokenView(AccountView):
    authentication_classes = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request.auth = bench_key()
        return super().get(request)


class AccountNoAuthView(AccountView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request.auth = bench_key()
        return super().get(request)
