"""Helpers for the admin tests (tests/test_admin*.py): staff with chosen permissions and
generations made directly, as the request path would have written them."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from clipia_console.generations.models import Generation

KEYS = reverse("admin:apikeys_apikey_changelist")
GENERATIONS = reverse("admin:generations_generation_changelist")


def key_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_change", args=[api_key.pk])


def revoke_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_revoke", args=[api_key.pk])


def roll_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_roll", args=[api_key.pk])


def end_grace_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_end_grace", args=[api_key.pk])


def key_form(api_key: ApiKey, **fields: str) -> dict[str, str]:
    """What the key page's form posts, with ``fields`` changed."""
    return {
        "name": api_key.name,
        "note": api_key.note,
        "generation_rate_limit": ""
        if api_key.generation_rate_limit is None
        else str(api_key.generation_rate_limit),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        **fields,
    }


def signed_in_with(user: User, *codenames: str) -> Client:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def make_generation(owner: User, **fields: object) -> Generation:
    values: dict[str, object] = {
        "environment": "live",
        "model_id": "clipia/motion-v1",
        "prompt": "a cat surfing",
        "status": Generation.Status.SUCCEEDED,
        **fields,
    }
    return Generation.objects.create(owner=owner, **values)
