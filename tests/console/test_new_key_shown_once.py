"""A new key is shown once, on the page that created it: a ready curl line, its environment,
never cached, redirected to, kept in the session, messages, cache, logs or error reports."""

from __future__ import annotations

import logging
import operator
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.views.debug import ExceptionReporter

from apikeys.models import ApiKey
from clipia_console.console import key_creation_views as views
from tests.console.helpers import KEYS_URL, create, full_keys_in, v1_account
from tests.support import FULL_KEY


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
