"""What the console's pages share: the context every tab shows (its name, the credit
balance), the keys a person may see with what their rows show, and the URL the new-key
panel's curl example calls."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse

from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.status import ApiKeyQuerySet
from clipia_console.billing.credits import balance_of
from clipia_console.console.signed_in import ConsoleRequest

KEYS_PER_PAGE = 20


def page_context(request: ConsoleRequest, **extra: Any) -> dict[str, Any]:
    """What every page of the API Keys tab shows: its tab and the account's credit balance."""
    return {"tab": "api_keys", "balance": balance_of(request.user.pk), **extra}


def keys_of(person: User) -> ApiKeyQuerySet:
    """The keys ``person`` may see (accounts.access, through visible_to), with what a row
    shows: the revocation and exposure events (two prefetch queries per page, however many
    keys; who revoked it is its actor_kind, never a staff username), never the hash. Anyone
    else's key id is indistinguishable from no id."""
    revocations = ApiKeyEvent.objects.filter(kind=ApiKeyEvent.Kind.REVOKED)
    # A rolled key's old secret retired after a public report (key_lifecycle says so).
    exposures = ApiKeyEvent.objects.filter(
        kind=ApiKeyEvent.Kind.SECRET_RETIRED, actor_kind=ApiKeyEvent.ActorKind.REPORT
    )
    return (
        ApiKey.objects.visible_to(person)
        .defer("hashed_key")
        .prefetch_related(
            Prefetch("events", queryset=revocations, to_attr="revocations"),
            Prefetch("events", queryset=exposures, to_attr="exposures"),
        )
    )


def keys_page(person: User, number: Any) -> Page[ApiKey]:
    # Newest first through the (owner, -created_at) index.
    return Paginator(keys_of(person), KEYS_PER_PAGE).get_page(number)


def account_url(request: HttpRequest) -> str:
    """GET /v1/account, absolute: what the new-key panel's curl example calls."""
    return request.build_absolute_uri(reverse("api:account"))
