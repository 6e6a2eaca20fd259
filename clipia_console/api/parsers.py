"""JSON bodies for /v1, read with a hard size bound, holding only text UTF-8 can encode."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from clipia_console.api.errors import InvalidRequest, PayloadTooLarge


class BoundedJSONParser(BaseParser):
    """Like DRF's JSONParser, but never reads more than CLIPIA_API_MAX_BODY_BYTES.

    DRF reads the WSGI stream directly, around Django's DATA_UPLOAD_MAX_MEMORY_SIZE, and a
    chunked body has no Content-Length to check up front; so the bound lives here too.
    """

    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if stream is None:
            return {}
        limit = int(settings.CLIPIA_API_MAX_BODY_BYTES)
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ParseError(_plain(exc)) from None
        if _has_lone_surrogate(data):
            raise InvalidRequest(
                "The request body holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff "
                "escape), which is not text. Send UTF-8 text or escape whole surrogate pairs."
            )
        return data


# JSON's \uXXXX escapes can spell half of a surrogate pair, which no UTF-8 text holds:
# PostgreSQL refuses it and the JSON renderer cannot encode it. Refused here, once, so
# nothing downstream (validation messages, the database, the fingerprint) ever sees one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(data: Any) -> bool:
    """Whether any string in ``data`` (object keys included) holds a lone surrogate.
    A loop, not recursion: json.loads accepts deeper nesting than a recursive walk."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _plain(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "the body is not UTF-8"
    if isinstance(exc, RecursionError):
        return "the body is nested too deeply"
    return str(exc).split(":")[0]
