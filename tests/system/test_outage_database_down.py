"""A database outage under gunicorn is an answer, not a crash: with PostgreSQL unreachable
(a TCP proxy in this process stopped), /v1 answers 503 service_unavailable in the envelope
and /healthz 503, and when it returns the app recovers by itself."""

from __future__ import annotations

import json
from typing import Any

from clipia_console.generations.models import Generation
from tests.support import bearer
from tests.system.helpers import (
    TcpProxy,
    against_real_postgresql,
    assert_books_balance,
    generate,
    wait_until_healthy,
)
from tests.system.servers import Server


@against_real_postgresql
def test_v1_answers_503_in_the_envelope_while_the_database_is_down(
    server: Server, proxy: TcpProxy, live: str, alice: Any
) -> None:
    assert generate(server, live, "before")[0] == 201
    proxy.stop()

    # Several requests, so that every worker meets the outage (with a broken connection
    # first, then a refused one).
    answers = [generate(server, live, f"during-{n}") for n in range(6)]
    account = server.request("GET", "/v1/account", headers=bearer_header(live))

    assert {status for status, _ in answers} == {503}
    assert {body["error"]["code"] for _, body in answers} == {"service_unavailable"}
    assert account[0] == 503
    assert int(account[1]["Retry-After"]) > 0
    assert json.loads(account[2])["error"]["code"] == "service_unavailable"
    proxy.start()
    wait_until_healthy(server)
    assert Generation.objects.filter(owner=alice).count() == 1
    assert_books_balance(alice)


@against_real_postgresql
def test_healthz_answers_503_and_nothing_else_while_the_database_is_down(
    server: Server, proxy: TcpProxy
) -> None:
    proxy.stop()

    status, _, body = server.request("GET", "/healthz")

    assert status == 503
    assert json.loads(body) == {"status": "unavailable"}
    proxy.start()


@against_real_postgresql
def test_the_app_recovers_by_itself_when_the_database_returns(
    server: Server, proxy: TcpProxy, live: str, alice: Any
) -> None:
    first = generate(server, live, "first")
    proxy.stop()
    assert generate(server, live, "second")[0] == 503
    proxy.start()
    wait_until_healthy(server)

    retried = [generate(server, live, "second") for _ in range(4)]
    replayed = generate(server, live, "first")

    assert {status for status, _ in retried} == {201}
    assert len({body["id"] for _, body in retried}) == 1
    assert replayed == first
    assert Generation.objects.filter(owner=alice).count() == 2
    assert_books_balance(alice)


def bearer_header(raw_key: str) -> dict[str, str]:
    return {"Authorization": bearer(raw_key)["HTTP_AUTHORIZATION"]}
