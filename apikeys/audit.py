"""Who did what to a key: the actor of a lifecycle action, and the audit row it writes.

Every lifecycle action (apikeys.services) and the request path's first use write their
event through ``record``, inside the transaction that makes the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apikeys import signals
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.lib.client_address import client_address


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something to a key, for the audit trail."""

    kind: str
    user: AbstractBaseUser | None = None
    label: str = ""
    client_address: str | None = None

    @classmethod
    def command(cls, name: str) -> Actor:
        return cls(kind=ApiKeyEvent.ActorKind.COMMAND, label=f"manage.py {name}")

    @classmethod
    def person(cls, user: AbstractBaseUser, *, owner_id: int, client_address: str | None) -> Actor:
        """The signed-in ``user``: the key's owner, or staff acting for the owner."""
        kind = ApiKeyEvent.ActorKind.OWNER if user.pk == owner_id else ApiKeyEvent.ActorKind.STAFF
        return cls(kind=kind, user=user, client_address=client_address)

    @classmethod
    def from_request(cls, request: HttpRequest, *, owner_id: int) -> Actor:
        """The person signed in on ``request`` acting on a key of ``owner_id`` (its owner,
        or staff acting for the owner), from the request's client address."""
        user = request.user
        if not isinstance(user, AbstractBaseUser):  # only signed-in people act on keys
            raise PermissionDenied
        return cls.person(user, owner_id=owner_id, client_address=client_address(request))

    @classmethod
    def api(cls, client_address: str | None) -> Actor:
        """An API request made with the key itself."""
        return cls(kind=ApiKeyEvent.ActorKind.API, client_address=client_address)

    @classmethod
    def automated(cls) -> Actor:
        """Clipia itself: a rule that took effect (a grace period that ended)."""
        return cls(kind=ApiKeyEvent.ActorKind.COMMAND, label="Clipia (automated)")

    @classmethod
    def public_report(cls, client_address: str | None) -> Actor:
        """Whoever sent the key to POST /v1/keys/revoke after finding it in public."""
        return cls(kind=ApiKeyEvent.ActorKind.REPORT, client_address=client_address)


def record(
    api_key: ApiKey,
    kind: str,
    actor: Actor,
    *,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> ApiKeyEvent:
    """Append ``kind`` to ``api_key``'s trail, with why (``reason``) and, for a settings
    change, ``details`` ({"old": …, "new": …}). Call inside the change's transaction;
    ``signals.key_event`` tells the packages above of it in that transaction."""
    event = ApiKeyEvent.objects.create(
        api_key=api_key,
        kind=kind,
        reason=reason,
        details=details,
        actor_kind=actor.kind,
        actor_id=actor.user.pk if actor.user is not None else None,
        actor_label=actor.label,
        client_address=actor.client_address,
    )
    signals.key_event.send(sender=ApiKeyEvent, event=event)
    return event
