"""The /docs/ pages through HTTP: public, under the usual Content-Security-Policy, and
saying what the code does (the magic prompts, the error codes, this server's /v1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from clipia_console.api.openapi.components import ERRORS
from clipia_console.generations import sandbox
from clipia_console.security import CONTENT_SECURITY_POLICY

PAGES = ["/docs/", "/docs/reference/", "/docs/authentication/", "/docs/sandbox/"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_readable_signed_out_under_the_usual_policy(
    client: Client, db: Any, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in response.content.decode()  # no inline script
    assert " style=" not in response.content.decode()  # no inline style


def test_the_quickstart_shows_curl_and_the_openai_sdk_for_this_server(client: Client) -> None:
    html = client.get("/docs/").content.decode()

    assert 'curl http://testserver/v1/account -H "Authorization: Bearer $CLIPIA_KEY"' in html
    assert 'OpenAI(base_url="http://testserver/v1", api_key=os.environ["CLIPIA_KEY"])' in html


def test_the_reference_loads_swagger_ui_from_our_static_files(client: Client) -> None:
    html = client.get("/docs/reference/").content.decode()

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert 'data-spec-url="/v1/openapi.json"' in html
    assert "cdn." not in html


def test_the_authentication_page_explains_the_three_headers_and_scopes(client: Client) -> None:
    html = client.get("/docs/authentication/").content.decode()

    for text in (
        "Authorization: Bearer",
        "Authorization: Key",
        "X-Api-Key",
        "403 insufficient_scope",
        "401 invalid_api_key",
        "The key is a server-side secret.",
    ):
        assert text in html


def test_the_sandbox_page_lists_every_magic_prompt_and_error_code(client: Client) -> None:
    html = client.get("/docs/sandbox/").content.decode()

    for name in sandbox.MAGIC_PROMPTS:
        assert f"<code>clipia-sandbox:{name}</code>" in html
    for code in ERRORS:
        assert f"<code>{code}</code>" in html


def test_the_console_header_links_to_the_docs(client: Client, alice: User) -> None:
    client.force_login(alice)

    html = client.get("/developer/api-keys/").content.decode()

    assert '<a class="topbar-docs" href="/docs/">API docs</a>' in html


def test_the_new_key_panel_links_to_the_quickstart(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(
        "/developer/api-keys/",
        {
            "name": "Render server",
            "environment": "test",
            "scopes": ["generate", "read"],
            "form_token": "a-fresh-form-token",  # what each rendered form carries
        },
    )

    assert response.status_code == 201
    html = response.content.decode()
    assert '<a href="/docs/">quickstart</a>' in html
    assert '<a href="/docs/reference/">API reference</a>' in html
