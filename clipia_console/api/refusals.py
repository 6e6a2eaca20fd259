"""Every /v1 refusal: a table from exception class to (status, code, message, headers),
and ``render``, the one way a /v1 error becomes an answer, used by DRF's exception
handler, the /v1 middleware, Django's error handlers and the idempotent store.

Domain packages raise their own exceptions and never know about HTTP; this table is where
the API says what each means on the wire (README "Errors"). An exception found nowhere in
it, the most specific class first, is a bug: 500 ``internal_error``.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.response import Response

from clipia_console.api.envelope import envelope, rendered
from clipia_console.api.outcome import Refused, outcome_of
from clipia_console.api.refusal_table import DATABASE_OUTAGES, TABLE, UNHANDLED, Refusal

logger = logging.getLogger(__name__)

__all__ = ["Refusal", "is_refusal", "refusal_for", "render"]


def refusal_for(exc: Exception) -> Refusal:
    """The table's entry for ``exc``'s most specific class; UNHANDLED if none."""
    for kind in type(exc).__mro__:
        found = TABLE.get(kind)
        if found is not None:
            return found
    return UNHANDLED


def is_refusal(exc: Exception) -> bool:
    return refusal_for(exc) is not UNHANDLED


def render(exc: Exception, request: HttpRequest | Request) -> Response:
    """``exc`` as its /v1 answer: status, envelope and the refusal's own headers
    (Retry-After, WWW-Authenticate), rendered; noted in the request's outcome, whose other
    headers clipia_console.api.headers writes on every answer."""
    refusal = refusal_for(exc)
    if isinstance(exc, DATABASE_OUTAGES):
        logger.warning("database unavailable: %s", type(exc).__name__)
    code = refusal.code_of(exc) if refusal.code_of else refusal.code
    extra = refusal.extra(exc) if refusal.extra else {}
    response = rendered(envelope(code, refusal.message(exc, request), **extra), refusal.status)
    for name, value in (refusal.headers(exc) if refusal.headers else {}).items():
        response[name] = value
    outcome_of(request).refused = Refused(refusal.status, code)
    return response
