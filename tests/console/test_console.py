"""The developer console's API Keys tab through the Django test client: full pages (the
no-JavaScript path) and htmx partials. Personas: alice signs in, bob is another customer."""

from __future__ import annotations

import logging
import operator
import re
import secrets
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.debug import ExceptionReporter

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.billing import credits
from clipia_console.console import key_creation_views as views
from tests.support import FULL_KEY, PASSWORD, MakeKey, create_in_console

KEYS_URL = "/developer/api-keys/"
HTMX = {"HX-Request": "true"}


def create(client: Client, headers: dict[str, str] | None = None, **data: Any) -> Any:
    return create_in_console(client, headers, **data)


def revoke_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/revoke/"


def full_keys_in(response: Any) -> list[str]:
    return FULL_KEY.findall(response.content.decode())


def listed_names(response: Any) -> list[str]:
    return re.findall(r'<a class="key-name"[^>]*>([^<]*)</a>', response.content.decode())


def v1_account(raw_key: str) -> int:
    return Client().get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"}).status_code


# Signing in and the shell


def test_anonymous_visitors_are_sent_to_sign_in_and_come_back(alice: User) -> None:
    client = Client()
    response = client.get(KEYS_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={KEYS_URL}"

    signed_in = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": KEYS_URL}
    )

    assert signed_in.status_code == 302
    assert signed_in["Location"] == KEYS_URL
    assert client.get(KEYS_URL).status_code == 200


@pytest.mark.parametrize("url", [KEYS_URL, f"{KEYS_URL}1/revoke/"])
def test_every_console_page_requires_sign_in(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_htmx_request_after_the_session_ended_sends_the_browser_to_sign_in(
    alice: User,
) -> None:
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}

    response = Client().get(KEYS_URL, headers=headers)

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/developer/api-keys/%3Fpage%3D2"
    assert response.content == b""


def test_a_signed_out_revoke_comes_back_to_that_keys_confirmation_and_says_why(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Zapier integration")
    client = Client()
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}

    response = client.post(revoke_url(api_key), {"key_name": "Zapier integration"}, headers=headers)

    assert response["HX-Redirect"] == f"/accounts/login/?next={revoke_url(api_key)}"
    sign_in_page = client.get(response["HX-Redirect"]).content.decode()
    assert "Sign in to finish revoking “Zapier integration”." in sign_in_page
    signed_in = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": revoke_url(api_key)},
    )
    assert signed_in["Location"] == revoke_url(api_key)
    confirmation = client.get(revoke_url(api_key)).content.decode()
    assert "Revoke “Zapier integration”?" in confirmation
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # the user confirms once more; nothing was replayed
    assert "finish revoking" not in client.get("/accounts/login/").content.decode()


def test_a_signed_out_revoke_without_javascript_comes_back_to_its_confirmation(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Old laptop")
    client = Client()

    response = client.post(revoke_url(api_key), {"key_name": "Old laptop"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={revoke_url(api_key)}"
    assert (
        "Sign in to finish revoking “Old laptop”."
        in client.get(response["Location"]).content.decode()
    )


def test_the_sign_in_page_never_names_a_key_from_the_database(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Secret project")
    client = Client()

    client.post(revoke_url(api_key), headers=HTMX)  # a stranger, naming no key

    page = client.get(f"/accounts/login/?next={revoke_url(api_key)}").content.decode()
    assert "Secret project" not in page
    assert "Sign in to finish revoking the key." in page


def test_a_signed_out_create_comes_back_with_what_was_typed(alice: User) -> None:
    client = Client()

    response = create(
        client, headers=HTMX, name="Zapier integration", environment="live", scopes=["read"]
    )

    next_url = response["HX-Redirect"].split("next=", 1)[1]
    client.force_login(alice)
    page = client.get(unquote(next_url)).content.decode()
    assert 'value="Zapier integration"' in page
    assert re.search(r'value="live"[^>]*checked', page)
    assert not re.search(r'value="generate"[^>]*checked', page)
    assert ApiKey.objects.count() == 0


def test_the_site_root_leads_to_the_console(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_the_console_opens_on_its_first_tab_api_keys(console: Client) -> None:
    response = console.get("/developer/")
    assert response.status_code == 302
    assert response["Location"] == KEYS_URL


def test_the_api_keys_tab_is_first_in_the_tab_bar_and_marked_current(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    tab_bar = html[html.index('aria-label="Developer console"') :]
    tab_bar = tab_bar[: tab_bar.index("</nav>")]
    tabs = re.findall(r'<a class="tab" href="([^"]+)"( aria-current="page")?>([^<]+)</a>', tab_bar)
    assert tabs[0] == (KEYS_URL, ' aria-current="page"', "API Keys")


def test_signing_out_ends_the_session(console: Client) -> None:
    response = console.post("/accounts/logout/")
    assert response.status_code == 302
    assert console.get(KEYS_URL).status_code == 302


# Creating a key: shown once


def test_it_creates_a_key_and_shows_it_once_on_the_page(console: Client, alice: User) -> None:
    response = create(console, name="Render server", environment="live")

    assert response.status_code == 201
    [raw_key] = set(full_keys_in(response))
    api_key = ApiKey.objects.get(owner=alice)
    assert api_key.name == "Render server"
    assert api_key.environment == "live"
    assert raw_key.startswith(f"{api_key.display_prefix}")
    assert raw_key not in api_key.hashed_key
    html = response.content.decode()
    assert "Store it now; it will not be shown again." in html
    assert "<html" in html  # the no-JavaScript path renders the whole page


def test_the_new_key_works_on_v1_account(console: Client, alice: User) -> None:
    [raw_key] = set(full_keys_in(create(console)))
    assert v1_account(raw_key) == 200


def test_the_new_key_panel_has_a_ready_curl_line(console: Client) -> None:
    response = create(console)
    [raw_key] = set(full_keys_in(response))
    html = response.content.decode()
    assert "curl http://testserver/v1/account" in html
    assert f"Authorization: Bearer {raw_key}" in html


def test_the_new_key_panel_shows_its_environment(console: Client) -> None:
    html = create(console, environment="live").content.decode()
    panel = html[html.index('id="new-key"') : html.index("</section>", html.index('id="new-key"'))]
    assert "new-key-live" in html
    assert 'class="badge badge-live"' in panel


def test_the_new_key_response_is_never_stored_by_a_cache(console: Client) -> None:
    response = create(console)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_new_key_is_not_redirected_to(console: Client) -> None:
    response = create(console)
    assert response.status_code == 201
    assert "Location" not in response


def test_a_later_page_never_shows_the_key_again(console: Client) -> None:
    [raw_key] = set(full_keys_in(create(console)))

    later = console.get(KEYS_URL)

    assert later.status_code == 200
    assert raw_key not in later.content.decode()
    assert full_keys_in(later) == []
    assert "new-key-value" not in later.content.decode()


def test_the_new_key_is_not_kept_in_the_session_messages_or_cache(console: Client) -> None:
    response = create(console)
    [raw_key] = set(full_keys_in(response))

    session = console.session
    assert all(raw_key not in str(value) for value in session.values())
    assert raw_key not in str(response.cookies)
    assert list(response.context["messages"]) == []
    assert raw_key not in str(console.cookies)
    backend = caches["default"]
    if isinstance(backend, LocMemCache):  # every stored value is inspectable
        stored = repr(dict(backend._cache))  # type: ignore[attr-defined]
    else:  # Redis: scan this database's keys and values
        client = backend._cache.get_client()  # type: ignore[attr-defined]
        stored = "\n".join(repr(name) + repr(client.get(name)) for name in client.scan_iter())
    assert raw_key not in stored


def test_the_new_key_never_reaches_the_logs(
    console: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    [raw_key] = set(full_keys_in(create(console)))
    console.get(KEYS_URL)
    assert v1_account(raw_key) == 200

    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "api key created" in logged  # the log is captured, and the key is not in it
    assert raw_key not in logged


def test_error_reports_show_stars_instead_of_a_new_key(
    console: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rendering fails after the key exists; operator.truediv fails in C, adding no frame
    # whose locals would hold the context.
    monkeypatch.setattr(views, "render", operator.truediv)
    with pytest.raises(TypeError) as failure:
        create(console)

    report = ExceptionReporter(None, failure.type, failure.value, failure.tb).get_traceback_html()

    assert "raw_key" in report  # the frame that held the key is in the report
    assert FULL_KEY.search(unescape(report)) is None


def test_the_form_starts_on_test_with_both_scopes_checked(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    assert re.search(r'value="test"[^>]*\bchecked\b', html)
    assert not re.search(r'value="live"[^>]*\bchecked\b', html)
    assert re.search(r'name="scopes" value="generate"[^>]*\bchecked\b', html)
    assert re.search(r'name="scopes" value="read"[^>]*\bchecked\b', html)
    assert html.index('value="test"') < html.index('value="live"')


def test_it_creates_a_key_with_the_chosen_environment_and_scopes(
    console: Client, alice: User
) -> None:
    response = create(console, environment="live", scopes=["read"])

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert (api_key.environment, api_key.scopes) == ("live", "read")
    assert full_keys_in(response)[0].startswith("clipia_live_")


def test_it_records_alice_and_her_address_as_the_creator(console: Client, alice: User) -> None:
    create(console, headers={"X-Forwarded-For": "203.0.113.9"})

    event = ApiKeyEvent.objects.get(kind=ApiKeyEvent.Kind.CREATED)
    assert event.actor_id == alice.pk
    assert event.actor_kind == ApiKeyEvent.ActorKind.OWNER
    assert event.client_address == "127.0.0.1"  # X-Forwarded-For is not trusted by default


def test_htmx_create_returns_the_panel_and_the_new_row_out_of_band(console: Client) -> None:
    response = create(console, headers=HTMX, name="From htmx")

    assert response.status_code == 201
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="create-area"') or 'id="create-area"' in html
    assert '<section id="key-list" class="card list-card"' in html
    assert 'hx-swap-oob="true"' in html
    assert "From htmx" in html[html.index('id="key-list"') :]
    assert 'id="announcer" hx-swap-oob="innerHTML">Key “From htmx” created.' in html
    assert "no-store" in response["Cache-Control"]


def test_htmx_create_shows_the_full_key_in_the_panel_only(console: Client) -> None:
    response = create(console, headers=HTMX)
    html = response.content.decode()
    [raw_key] = set(full_keys_in(response))
    assert raw_key not in html[html.index('id="key-list"') :]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the key a name."),
        ({"name": "   "}, "name", "Give the key a name."),
        ({"name": "x" * 101}, "name", "Key names are at most 100 characters."),
        ({"name": "null\x00byte"}, "name", "Null characters are not allowed."),
        ({"environment": "prod"}, "environment", "Choose the live or the test environment."),
        ({"environment": ""}, "environment", "Choose the live or the test environment."),
        ({"scopes": []}, "scopes", "Choose at least one scope."),
        ({"scopes": ["admin"]}, "scopes", "The allowed scopes are exactly generate and read."),
    ],
)
def test_invalid_input_re_renders_the_form_with_a_field_message(
    console: Client, alice: User, data: dict[str, Any], field: str, message: str
) -> None:
    response = create(console, **data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert ApiKey.objects.filter(owner=alice).count() == 0
    assert full_keys_in(response) == []


def test_invalid_input_over_htmx_returns_the_form_with_its_messages(
    console: Client, alice: User
) -> None:
    response = create(console, headers=HTMX, name="")

    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert "Give the key a name." in html
    assert 'id="key-list"' not in html
    assert ApiKey.objects.filter(owner=alice).count() == 0


def test_it_explains_the_active_key_cap_when_reached(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 2
    make_key(alice)
    make_key(alice)

    response = create(console)

    assert response.status_code == 422
    assert "An account can hold at most 2 active keys." in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 2


def test_a_revoked_key_frees_a_place_under_the_cap(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1
    old, _ = make_key(alice)
    console.post(revoke_url(old))

    assert create(console).status_code == 201
    assert ApiKey.objects.usable().filter(owner=alice).count() == 1


def test_creating_keys_is_rate_limited_per_user(
    console: Client, alice: User, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_CREATE_LIMIT = 2
    assert create(console).status_code == 201
    assert create(console).status_code == 201

    response = create(console)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many new keys in a short time." in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 2


def test_the_create_limit_is_not_shared_between_users(
    console: Client, bob: User, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_CREATE_LIMIT = 1
    assert create(console).status_code == 201
    bobs = Client()
    bobs.force_login(bob)
    assert create(bobs).status_code == 201


def test_creating_needs_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = create(client, headers=HTMX)

    assert response.status_code == 403
    assert ApiKey.objects.filter(owner=alice).count() == 0


def test_htmx_requests_carry_the_pages_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(KEYS_URL).content.decode()
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert match is not None

    response = create(client, headers={**HTMX, "X-CSRFToken": match.group(1)})

    assert response.status_code == 201
    assert ApiKey.objects.filter(owner=alice).count() == 1


# The list


def test_it_lists_only_my_keys_newest_first(
    console: Client, alice: User, bob: User, make_key: MakeKey
) -> None:
    make_key(alice, name="first")
    make_key(bob, name="bobs key")
    make_key(alice, name="second")

    response = console.get(KEYS_URL)

    assert listed_names(response) == ["second", "first"]
    assert "bobs key" not in response.content.decode()


def test_the_list_shows_the_stored_lookup_id_and_never_more(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live")

    response = console.get(KEYS_URL)

    html = response.content.decode()
    assert f"{api_key.display_prefix}…" in html
    assert raw_key not in html
    assert raw_key[len(api_key.display_prefix) :][:8] not in html
    assert full_keys_in(response) == []


def test_the_list_shows_an_environment_badge_per_key(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, "live")
    make_key(alice, "test")
    html = console.get(KEYS_URL).content.decode()
    assert html.count('class="badge badge-live"') == 1
    assert html.count('class="badge badge-test"') == 1


def test_an_unused_key_shows_never_as_last_used(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice)
    html = console.get(KEYS_URL).content.decode()
    assert '<span class="muted">never</span>' in html


def test_a_used_key_shows_when_it_was_last_used(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice)
    assert v1_account(raw_key) == 200

    html = console.get(KEYS_URL).content.decode()

    assert '<span class="muted">never</span>' not in html
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert f'<time datetime="{api_key.last_used_at.isoformat()}"' in html


def test_revoked_keys_stay_listed_with_who_revoked_them_and_when(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")
    console.post(revoke_url(api_key))
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None

    html = console.get(KEYS_URL).content.decode()

    row = html[html.index(f'id="key-{api_key.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "is-revoked" in html
    assert "Revoked" in row
    assert "by you" in row
    assert "alice" not in row
    assert api_key.revoked_at.isoformat() in row
    assert "Revoke…" not in row


def test_a_key_revoked_by_staff_or_a_command_says_clipia_never_who(
    console: Client, alice: User, staff: User, make_key: MakeKey
) -> None:
    by_staff, _ = make_key(alice, name="by staff")
    by_command, _ = make_key(alice, name="by command")
    services.revoke_key(
        by_staff, actor=services.Actor.person(staff, owner_id=alice.pk, client_address=None)
    )
    services.revoke_key(by_command, actor=services.Actor.command("revokeapikey"))

    html = console.get(KEYS_URL).content.decode()

    staff_row = html[html.index(f'id="key-{by_staff.pk}"') :]
    command_row = html[html.index(f'id="key-{by_command.pk}"') :]
    staff_row = staff_row[: staff_row.index("</tr>")]
    command_row = command_row[: command_row.index("</tr>")]
    assert "by Clipia support" in staff_row
    assert "staff staff" not in staff_row
    assert "by Clipia (automated)" in command_row
    assert "manage.py" not in command_row


def test_the_list_costs_the_same_queries_for_one_key_or_many(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice)
    with CaptureQueriesContext(connection) as one:
        assert console.get(KEYS_URL).status_code == 200

    for number in range(12):
        api_key, _ = make_key(alice, name=f"key {number}")
        if number % 3 == 0:
            console.post(revoke_url(api_key))
    with CaptureQueriesContext(connection) as many:
        assert console.get(KEYS_URL).status_code == 200

    assert len(many) == len(one)


def test_the_list_paginates_past_a_page(console: Client, alice: User, make_key: MakeKey) -> None:
    for number in range(22):
        make_key(alice, name=f"key-{number:02d}")

    first = console.get(KEYS_URL)
    second = console.get(f"{KEYS_URL}?page=2")

    assert listed_names(first) == [f"key-{number:02d}" for number in range(21, 1, -1)]
    assert listed_names(second) == ["key-01", "key-00"]
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert 'href="?page=1" rel="prev"' in second.content.decode()


def test_an_out_of_range_page_shows_the_last_page(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, name="only key")
    response = console.get(f"{KEYS_URL}?page=99")
    assert response.status_code == 200
    assert listed_names(response) == ["only key"]


def test_an_empty_list_invites_a_first_key(console: Client) -> None:
    assert "No API keys yet" in console.get(KEYS_URL).content.decode()


# Revoking


def test_the_revoke_page_asks_for_confirmation_and_revokes_nothing(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.get(revoke_url(api_key))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke “old server”?" in html
    assert f'<form method="post" action="{revoke_url(api_key)}"' in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_it_revokes_a_key_and_redirects_back_with_a_message(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key), follow=True)

    assert response.redirect_chain == [(KEYS_URL, 302)]
    assert "Revoked “old server”. Requests with it now get 401." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    event = ApiKeyEvent.objects.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert (event.api_key_id, event.actor_id) == (api_key.pk, alice.pk)


def test_htmx_revoke_returns_the_updated_row(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="key-{api_key.pk}" class="key-row is-revoked"')
    assert "by you" in html
    assert 'id="announcer" hx-swap-oob="innerHTML">Revoked “old server”.' in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_the_very_next_v1_request_after_revoking_gets_401(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice)
    assert v1_account(raw_key) == 200  # warm in this process: no Argon2 on the next call

    console.post(revoke_url(api_key), headers=HTMX)

    assert v1_account(raw_key) == 401


def test_revoking_twice_says_it_was_already_revoked(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")
    console.post(revoke_url(api_key))
    api_key.refresh_from_db()
    revoked_at = api_key.revoked_at

    response = console.post(revoke_url(api_key), headers=HTMX)

    assert "“old server” was already revoked." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at == revoked_at
    assert ApiKeyEvent.objects.filter(kind=ApiKeyEvent.Kind.REVOKED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_cannot_see_or_revoke_another_users_key(
    console: Client, bob: User, make_key: MakeKey, method: str
) -> None:
    bobs_key, raw_key = make_key(bob, name="bobs key")

    response = getattr(console, method)(revoke_url(bobs_key), headers=HTMX)

    assert response.status_code == 404
    assert "bobs key" not in response.content.decode()
    bobs_key.refresh_from_db()
    assert bobs_key.revoked_at is None
    assert v1_account(raw_key) == 200


@pytest.mark.parametrize("key_id", ["0", "99999999999999999999999"])
def test_an_impossible_key_id_is_a_404_not_a_500(console: Client, key_id: str) -> None:
    assert console.get(f"{KEYS_URL}{key_id}/revoke/").status_code == 404
    assert console.post(f"{KEYS_URL}{key_id}/revoke/", headers=HTMX).status_code == 404


def test_staff_cannot_revoke_a_customers_key_from_the_console(
    staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    client = Client()
    client.force_login(staff)

    assert client.post(revoke_url(api_key)).status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_needs_a_csrf_token(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(revoke_url(api_key), headers=HTMX)

    assert response.status_code == 403
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_is_rate_limited_per_user(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_REVOKE_LIMIT = 1
    first, _ = make_key(alice)
    second, _ = make_key(alice, name="second key")
    console.post(revoke_url(first))

    response = console.post(revoke_url(second), headers=HTMX)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many revocations in a short time." in html
    assert 'role="alert"' in html
    second.refresh_from_db()
    assert second.revoked_at is None


def test_a_rate_limited_revoke_without_javascript_shows_the_confirmation_again(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_REVOKE_LIMIT = 0
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key))

    assert response.status_code == 429
    assert "Revoke “old server”?" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


# What the pages are made of


def pages(console: Client, alice: User, make_key: MakeKey) -> dict[str, str]:
    api_key, _ = make_key(alice, "live")
    revoked, _ = make_key(alice, name="revoked")
    console.post(revoke_url(revoked))
    return {
        "sign-in": Client().get("/accounts/login/").content.decode(),
        "list": console.get(KEYS_URL).content.decode(),
        "new key": create(console).content.decode(),
        "new key (htmx)": create(console, headers=HTMX).content.decode(),
        "invalid": create(console, name="").content.decode(),
        "confirm": console.get(revoke_url(api_key)).content.decode(),
        "revoked row": console.post(revoke_url(api_key), headers=HTMX).content.decode(),
    }


def test_pages_have_no_inline_script_style_or_handlers_so_the_csp_holds(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    for name, html in pages(console, alice, make_key).items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.search(r"<style\b", html), name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name
        assert "hx-on" not in html, name


def test_pages_load_htmx_and_our_script_from_our_static_files(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any(re.fullmatch(r"/static/django_htmx/htmx-2\.min\.js", src) for src in sources)
    assert "/static/console/console.js" in sources
    assert all(src.startswith("/static/") for src in sources)


def test_the_create_form_fields_are_labelled(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    assert '<label for="id_name">Name</label>' in html
    assert "<legend>Environment</legend>" in html
    assert "<legend>Scopes</legend>" in html
    assert '<button type="submit" class="button button-primary">Create key</button>' in html


# The single-use create form


def test_replaying_a_create_form_mints_no_second_key(console: Client, alice: User) -> None:
    token = secrets.token_urlsafe(18)
    first = create(console, form_token=token)
    assert first.status_code == 201

    replay = create(console, form_token=token)

    assert replay.status_code == 409
    assert "This form was already used — your key was created and shown once" in unescape(
        replay.content.decode()
    )
    assert full_keys_in(replay) == []
    assert ApiKey.objects.filter(owner=alice).count() == 1


def test_each_rendered_create_form_carries_a_fresh_token(console: Client) -> None:
    first = re.findall(r'name="form_token" value="([^"]+)"', console.get(KEYS_URL).content.decode())
    second = re.findall(r'name="form_token" value="([^"]+)"', create(console).content.decode())
    assert len(first) == len(second) == 1
    assert first != second


def test_a_create_without_its_form_token_is_refused_as_out_of_date(
    console: Client, alice: User
) -> None:
    response = create(console, form_token="")
    assert response.status_code == 422
    assert "This form is out of date." in response.content.decode()
    assert ApiKey.objects.count() == 0


def test_a_refused_create_gives_its_token_back(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1
    existing, _ = make_key(alice)
    token = secrets.token_urlsafe(18)
    assert create(console, form_token=token).status_code == 422  # the cap
    services.revoke_key(existing, actor=services.Actor.command("tests"))

    assert create(console, form_token=token).status_code == 201  # a reload after fixing it


# What the customer sees around a key


def test_the_header_shows_the_credit_balance(console: Client, alice: User) -> None:
    credits.grant(alice, 1400, reason="test")
    html = console.get(KEYS_URL).content.decode()
    assert re.search(r"Credits</span> <strong>1\u202f400</strong>", html)


def test_a_live_keys_panel_says_it_spends_credits_and_a_test_keys_that_it_does_not(
    console: Client, alice: User
) -> None:
    credits.grant(alice, 1400, reason="test")
    live = create(console, environment="live").content.decode()
    test = create(console, environment="test").content.decode()
    assert "Live: spends your credits (balance 1\u202f400)." in live
    assert "Test: runs in the sandbox and charges nothing." in test


def test_each_scope_says_what_it_grants(console: Client) -> None:
    html = unescape(console.get(KEYS_URL).content.decode())
    assert "Reserved for read-only uses, e.g. /v1/usage." in html
    assert "Start generations with POST /v1/models/" in html


def test_after_a_create_the_form_keeps_the_chosen_environment(console: Client) -> None:
    html = create(console, environment="live").content.decode()
    form = html[html.index('<form method="post" action="/developer/api-keys/"') :]
    assert re.search(r'value="live"[^>]*checked', form)


def test_an_htmx_create_puts_the_address_back_on_page_one(console: Client) -> None:
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}
    response = create(console, headers=headers)
    assert response.status_code == 201
    assert response["HX-Replace-Url"] == KEYS_URL


def test_dates_are_relative_with_the_exact_utc_time_in_the_tooltip(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    ApiKey.objects.filter(pk=api_key.pk).update(
        created_at=timezone.now() - timedelta(hours=3, minutes=5)
    )
    api_key.refresh_from_db()
    html = console.get(KEYS_URL).content.decode()
    exact = api_key.created_at.strftime("%b %-d, %Y, %H:%M UTC")
    assert (
        f'datetime="{api_key.created_at.isoformat()}" title="{exact}">3\xa0hours ago</time>' in html
    )


def test_the_confirmation_shows_prefix_environment_and_last_use_and_focuses_nothing_dangerous(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="Render server")
    html = console.get(revoke_url(api_key)).content.decode()
    section = html[html.index('aria-labelledby="confirm-title"') :]
    assert f"{api_key.display_prefix}…" in section
    assert ">Live<" in section
    assert "Last used" in section and "never" in section
    assert "autofocus" not in section


def test_the_rows_revoke_is_a_button_named_with_the_prefix(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Zapier integration")
    html = unescape(console.get(KEYS_URL).content.decode())
    assert (
        f'aria-label="Revoke Zapier integration ({api_key.display_prefix}…)">Revoke…</button>'
        in html
    )


def test_a_form_sent_after_its_token_expired_says_nothing_was_changed(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Old laptop")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(revoke_url(api_key), {"key_name": "Old laptop"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was changed" in html
    assert "no key was created or revoked" in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_a_paused_key_says_paused_and_can_still_be_revoked(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Spending paused")
    ApiKey.objects.filter(pk=api_key.pk).update(paused_at=timezone.now())

    html = console.get(KEYS_URL).content.decode()

    row = html[html.index(f'id="key-{api_key.pk}"') :]
    row = row[: row.index("</tr>")]
    assert ">Paused</span>" in row
    assert "Revoke…" in row


def test_a_signed_out_create_with_nothing_typed_comes_back_to_the_plain_list(db: Any) -> None:
    response = Client().post(KEYS_URL, {})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={KEYS_URL}"
