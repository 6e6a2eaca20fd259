"""Every refusal the apikeys domain raises, one class per concept. Surfaces map them to
what they answer (a /v1 error, a form error, a command's message); bad input for a field
is Django's own ``ValidationError({"field": message})``, not a class of ours.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError

# The request path (apikeys.verification).


class InvalidApiKey(Exception):
    """Missing, malformed, unknown, wrong, revoked or expired key, or inactive owner:
    deliberately one error. ``expired_at`` is set only for the complete, correct key of
    an expired key, the one case whose holder may be told why."""

    def __init__(self, *, expired_at: datetime | None = None) -> None:
        super().__init__("invalid API key")
        self.expired_at = expired_at


class ConflictingCredentials(Exception):
    """Two credentials in one request (two headers, whatever their kind)."""


class VerificationRateLimited(Exception):
    """Too many Argon2id verifications for this key id or from this address."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many slow verifications; retry after {retry_after}s")
        self.retry_after = retry_after


# The lifecycle (apikeys.services, apikeys.rolling, apikeys.controls): messages fit to show.


class KeyLifecycleError(Exception):
    """Base for lifecycle refusals whose message is safe to show the user."""


class KeyLimitReached(KeyLifecycleError):
    """The owner already holds the most usable keys an account may."""


class CannotRoll(KeyLifecycleError):
    """A revoked or expired key: there is nothing left to roll."""


class InvalidSetting(ValidationError):
    """A key whose settings can no longer change (it is revoked). A ValidationError
    without a field, so a form shows it above its fields like any other."""


# Per-key controls (apikeys.controls.may_generate): what this key may not do, though it
# authenticated.


class MayNotGenerate(Exception):
    """Base: this key may not generate this model from here; nothing was charged."""


class KeyPaused(MayNotGenerate):
    """The key's spending is paused: it reads, it does not generate."""


class ModelNotAllowed(MayNotGenerate):
    """The model is not on the key's list of allowed models."""

    def __init__(self, model_id: str, allowed: list[str]) -> None:
        super().__init__(f"model {model_id!r} not allowed")
        self.model_id = model_id
        self.allowed = allowed


class AddressNotAllowed(MayNotGenerate):
    """The request comes from outside the key's allowed addresses; ``address`` is the one
    we saw (None if it could not be read)."""

    def __init__(self, address: str | None) -> None:
        super().__init__("address not allowed")
        self.address = address
