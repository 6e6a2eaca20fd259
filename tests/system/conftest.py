"""Fixtures shared by the tests/system test modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from clipia_console.billing import credits
from tests.system.helpers import FUNDS, TcpProxy
from tests.system.servers import gunicorn, subprocess_database_url


@pytest.fixture
def proxy() -> Any:
    db = connection.settings_dict
    tcp = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    tcp.start()
    yield tcp
    tcp.stop()


@pytest.fixture
def server(proxy: TcpProxy, tmp_path: Path) -> Any:
    url = subprocess_database_url(HOST="127.0.0.1", PORT=str(proxy.port))
    with gunicorn(
        tmp_path,
        database_url=url,
        workers=2,
        DATABASE_CONNECT_TIMEOUT="2",
        # These tests stream generations as fast as they can: the per-key request limit
        # (tests/test_request_limits.py) is not what they are about.
        CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE="100000",
    ) as running:
        yield running


@pytest.fixture
def live(alice: Any, make_key: Any) -> str:
    credits.grant(alice, FUNDS, reason="test funds")
    _, raw = make_key(alice, "live")
    return str(raw)
