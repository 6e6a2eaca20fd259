"""Production settings, /healthz and the Content-Security-Policy.

Settings are read in a fresh interpreter with a production-like environment, since the
test process runs tests.settings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from clipia_console import health
from clipia_console.security import CONTENT_SECURITY_POLICY
from tests.support import bearer

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "a-long-random-production-secret-" + "x" * 40


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "clipia_console.settings"
    env["DJANGO_SECRET_KEY"] = PRODUCTION_SECRET
    env.update(overrides)
    return {name: value for name, value in env.items() if value != ""}


def read_settings(env: dict[str, str]) -> dict[str, Any]:
    script = (
        "import json\n"
        "from clipia_console import settings as s\n"
        "names = ['DEBUG', 'ALLOWED_HOSTS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',\n"
        "         'SESSION_COOKIE_HTTPONLY', 'SECURE_HSTS_SECONDS',\n"
        "         'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_CONTENT_TYPE_NOSNIFF',\n"
        "         'MIDDLEWARE', 'STORAGES', 'DATABASES', 'CACHES']\n"
        "print(json.dumps({n: getattr(s, n) for n in names}, default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import clipia_console.settings"],
        cwd=ROOT,
        env=production_env(DJANGO_SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in done.stderr


def test_production_defaults_turn_debug_off_and_cookies_secure() -> None:
    settings = read_settings(production_env())

    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_defaults_send_hsts_for_a_year() -> None:
    settings = read_settings(production_env())

    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_production_serves_static_files_through_whitenoise_with_hashed_names() -> None:
    settings = read_settings(production_env())

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings["MIDDLEWARE"]
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_production_sends_the_content_security_policy() -> None:
    settings = read_settings(production_env())

    assert "clipia_console.security.ContentSecurityPolicyMiddleware" in settings["MIDDLEWARE"]


def test_allowed_hosts_come_from_the_environment() -> None:
    settings = read_settings(
        production_env(DJANGO_ALLOWED_HOSTS="api.clipia.example, console.clipia.example")
    )

    assert settings["ALLOWED_HOSTS"] == ["api.clipia.example", "console.clipia.example"]


def test_database_and_redis_urls_switch_the_backends() -> None:
    settings = read_settings(
        production_env(
            DATABASE_URL="postgres://clipia@db.internal:5432/clipia",
            REDIS_URL="redis://cache.internal:6379/2",
        )
    )

    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "clipia")
    assert database["OPTIONS"]["connect_timeout"] == 5
    assert settings["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.redis.RedisCache"
    )
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/2"


def test_the_deployment_checklist_passes_with_https_redirects_on() -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(DJANGO_SSL_REDIRECT="true", DJANGO_HSTS_PRELOAD="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


@pytest.mark.django_db
def test_healthz_answers_ok_without_authentication(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


class _UnreachableDatabase:
    def cursor(self) -> Any:
        raise OperationalError("connection refused: host db.internal port 5432")


@pytest.mark.django_db
def test_healthz_answers_503_and_reveals_nothing_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "connection", _UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"db.internal" not in response.content


@pytest.mark.django_db
def test_healthz_accepts_only_get_and_head(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/models").status_code == 301


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_content_security_policy(
    client: Client, test_key: Any
) -> None:
    _, raw = test_key
    responses = [
        client.get("/healthz"),
        client.get("/v1/models", **bearer(raw)),
        client.get("/v1/models"),
        client.get("/v1/no-such-endpoint"),
        client.get("/admin/login/"),
    ]

    assert [response["Content-Security-Policy"] for response in responses] == [
        CONTENT_SECURITY_POLICY
    ] * len(responses)


def test_the_policy_allows_nothing_inline_and_no_framing() -> None:
    directives = dict(
        directive.strip().split(" ", 1) for directive in CONTENT_SECURITY_POLICY.split(";")
    )

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE), "an inline <script>"),
    (re.compile(r"<style\b", re.IGNORECASE), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "an on…= event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "a javascript: URL"),
    (re.compile(r"\shx-on", re.IGNORECASE), "an hx-on handler (inline script)"),
]


_TEMPLATE_COMMENTS = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


def test_no_project_template_needs_more_than_the_policy_allows() -> None:
    problems = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for pattern, what in _INLINE
        if pattern.search(_TEMPLATE_COMMENTS.sub("", path.read_text()))
    ]

    assert problems == []
