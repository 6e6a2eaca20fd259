"""Helpers shared by the tests/apikeys test modules (plain functions and constants)."""

from __future__ import annotations

from django.test.utils import CaptureQueriesContext

ACCOUNT = "/v1/account"


def apikey_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "apikeys_" in query["sql"]]


def malformed(raw_key: str) -> str:
    """``raw_key`` with its last checksum character changed."""
    return raw_key[:-1] + ("A" if raw_key[-1] != "A" else "B")
