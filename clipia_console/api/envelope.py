"""The /v1 error envelope, ``{"error": {"code": …, "message": …}}``, and what is /v1.

Codes are stable snake_case strings customers may branch on. Validation errors add
``fields`` with per-field messages. Nothing under /v1 answers with an HTML page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

API_PATH_PREFIX = "/v1/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX) or request.path == API_PATH_PREFIX[:-1]


def envelope(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": _encodable({"code": code, "message": message, **extra})}


def rendered(data: Any, status: int) -> Response:
    """``data`` as a JSON response, rendered now: its bytes are what an Idempotency-Key
    stores, and middleware may return it outside any DRF view. The same bytes DRF's own
    rendering of the view's answer gives."""
    response = Response(data, status=status)
    response.content = JSONRenderer().render(data)  # marks it rendered
    response["Content-Type"] = JSONRenderer.media_type
    return response


def _encodable(value: Any) -> Any:
    """``value`` with anything UTF-8 cannot encode (a lone surrogate) replaced by "?".
    Messages may quote what a client sent (a field's name); the parser refuses lone
    surrogates, and this keeps any echo that slips past it from crashing the renderer."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(name): _encodable(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value
