"""Nothing in the admin reveals a key: a full key appears only in the response that creates it,
never on a later page, in the session, in admin log entries, or as a secret or hash on any
admin page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from apikeys import keys
from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations.models import Generation
from tests.apikeys.helpers import ADD_KEY, EVENTS, KEYS, create_in_admin, revoke_in_admin
from tests.support import MakeKey

LINK = re.compile(r'(?:href|src|action)="((?:/admin/|\?)[^"#]*)"')


def secrets_of(api_key: ApiKey, raw_key: str) -> list[str]:
    """Everything that must never be displayed: the key, its secret part, its stored hash
    and the hash's salt and digest on their own."""
    stored = ApiKey.objects.get(pk=api_key.pk).hashed_key
    head = len(keys.key_prefix(api_key.environment)) + keys.LOOKUP_ID_LENGTH
    secret = raw_key[head : head + keys.SECRET_LENGTH]
    salt, digest = stored.split("$")[-2:]
    return [raw_key, secret, stored, salt, digest]


def crawl(client: Client, start: str = "/admin/", limit: int = 600) -> Iterator[tuple[str, str]]:
    """(url, body) for every admin page reachable from ``start`` by GET links."""
    seen: set[str] = set()
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = response.content.decode(errors="replace")
        yield url, body
        for link in LINK.findall(body):
            link = unescape(link)
            if link.startswith("?"):
                # Sorting and filter links ("?o=1", "?status=revoked") are relative; follow
                # them one level deep, or their combinations would never end.
                if "?" in url:
                    continue
                link = url + link
            # Links carrying the changelist's filters back show the same page again.
            link = link.split("?")[0] if "_changelist_filters=" in link else link
            if "logout" not in link and link not in seen:
                queue.append(link)


def test_the_created_key_is_on_no_later_page_nor_in_the_session(
    staff_client: Client, alice: User
) -> None:
    api_key, raw_key = create_in_admin(staff_client)

    later = [
        reverse("admin:index"),
        KEYS,
        reverse("admin:apikeys_apikey_change", args=[api_key.pk]),
        reverse("admin:apikeys_apikey_history", args=[api_key.pk]),
        EVENTS,
    ]
    for url in later:
        response = staff_client.get(url)
        assert response.status_code == 200
        for secret in secrets_of(api_key, raw_key):
            assert secret not in response.content.decode(), url
    for session in Session.objects.all():
        assert raw_key not in str(session.get_decoded())
    assert raw_key not in str(staff_client.cookies)


def test_admin_log_entries_never_contain_a_key(
    staff_client: Client, alice: User, funded: User
) -> None:
    api_key, raw_key = create_in_admin(staff_client)
    staff_client.post(
        reverse("admin:apikeys_apikey_change", args=[api_key.pk]),
        {"name": "renamed", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"},
    )
    revoke_in_admin(staff_client, api_key)

    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert len(entries) == 3
    for secret in secrets_of(api_key, raw_key):
        assert all(secret not in repr_ + message for repr_, message in entries)


def test_no_admin_page_contains_a_keys_secret_or_hash(
    staff_client: Client, api: Client, alice: User, bob: User, make_key: MakeKey
) -> None:
    # Keys in every state and every place a key shows up: created in the admin and by a
    # command, used on /v1, renamed, revoked, linked from a generation and the ledger.
    admin_key, admin_raw = create_in_admin(staff_client)
    used_key, used_raw = make_key(bob, "test", name="used")
    api.get("/v1/account", headers={"Authorization": f"Bearer {used_raw}"})
    revoked_key, revoked_raw = make_key(alice, name="revoked")
    revoke_in_admin(staff_client, revoked_key)
    staff_client.post(
        reverse("admin:apikeys_apikey_change", args=[admin_key.pk]),
        {"name": "renamed", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"},
    )
    credits.grant(alice, 50, reason="grant")
    Generation.objects.create(
        owner=alice, api_key=admin_key, environment="live", model_id="clipia/motion-v1"
    )
    forbidden = [
        *secrets_of(admin_key, admin_raw),
        *secrets_of(used_key, used_raw),
        *secrets_of(revoked_key, revoked_raw),
    ]

    pages = dict(crawl(staff_client))

    for url, body in pages.items():
        leaked = [secret for secret in forbidden if secret in body]
        assert not leaked, f"{url} shows a key secret or hash"
    # The crawl must have finished and reached the pages that matter, or it proves nothing.
    assert len(pages) < 600
    for key in (admin_key, used_key, revoked_key):
        assert reverse("admin:apikeys_apikey_change", args=[key.pk]) in pages
        assert reverse("admin:apikeys_apikey_history", args=[key.pk]) in pages
    assert ADD_KEY in pages
    assert any(url.startswith("/admin/apikeys/apikeyevent/") and url[-2] != "t" for url in pages)
    assert any(
        url.startswith("/admin/generations/generation/") and "change" in url for url in pages
    )
    assert any(url.startswith("/admin/billing/account/") and "change" in url for url in pages)
