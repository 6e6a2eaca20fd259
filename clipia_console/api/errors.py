"""The refusals of the /v1 transport itself: what no domain package decides (an unknown
model or path, a body the API cannot read). Their status, code and default message are
in clipia_console.api.refusals, beside the domain's; ``message`` overrides the default.
"""

from __future__ import annotations

from clipia_console.lib.ratelimit import RateLimited


class ApiError(Exception):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


class ModelNotFound(ApiError):
    """No active model with that id."""


class ResourceNotFound(ApiError):
    """No such thing for this key (another account's or environment's included)."""


class EndpointNotFound(ResourceNotFound):
    """No such path under /v1."""


class InvalidRequest(ApiError):
    """A request the API cannot take as sent (a header, a query parameter, the body)."""


class LengthRequired(ApiError):
    """A body sent without Content-Length (clipia_console.api.middleware says why)."""


class PayloadTooLarge(ApiError):
    """A body over CLIPIA_API_MAX_BODY_BYTES."""


class ServerError(ApiError):
    """A bug, as Django's 500 handler answers it under /v1 (it is not told which)."""


class TooManyReports(RateLimited):
    """Too many leaked-key reports from one address (POST /v1/keys/revoke)."""
