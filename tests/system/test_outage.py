"""A database outage is an answer, not a crash: with PostgreSQL unreachable, /v1 answers
503 service_unavailable in the envelope and /healthz 503; when it returns, the app
recovers by itself; and no charge is ever half-written.

gunicorn reaches the test database through a TCP proxy in this process, which the test
stops (refusing new connections and cutting open ones) and starts again. The test itself
talks to PostgreSQL directly to check what was committed.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

from apikeys import verification
from clipia_console.api.middleware import ApiOutageMiddleware
from clipia_console.api.models import IdempotencyRecord
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations.models import Generation
from tests.support import bearer
from tests.system.servers import Server, free_port, gunicorn, subprocess_database_url

MODEL = "clipia/motion-v1"
PRICE = 20
FUNDS = 100_000


def against_real_postgresql(test: Any) -> Any:
    """gunicorn and the proxy need PostgreSQL, committed rows and the model catalog."""
    test = pytest.mark.django_db(transaction=True)(test)
    test = pytest.mark.usefixtures("catalog")(test)
    return pytest.mark.services(test)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the database. ``stop`` refuses new connections and
    cuts every open one, as a database host going away does; ``start`` brings it back on
    the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._spawn(self._accept, listener)

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


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


def generate(server: Server, raw_key: str, idempotency_key: str) -> tuple[int, dict[str, Any]]:
    status, _, body = server.request(
        "POST",
        f"/v1/models/{MODEL}",
        headers={
            "Authorization": f"Bearer {raw_key}",
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
        },
        body=json.dumps({"prompt": "a kite over the dunes"}).encode(),
    )
    return status, json.loads(body)


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + 30
    while server.request("GET", "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "the app did not recover within 30 s"
        time.sleep(0.1)


def assert_books_balance(user: Any) -> None:
    """No half-written charge: every generation charged exactly once, every charge for a
    generation, and the balance equal to the ledger."""
    generations = Generation.objects.filter(owner=user, environment="live")
    charges = LedgerEntry.objects.filter(account_id=user.pk, kind=LedgerEntry.Kind.CHARGE)
    assert sorted(charges.values_list("generation_id", flat=True)) == sorted(
        generations.values_list("id", flat=True)
    )
    assert credits.balance_of(user.pk) == FUNDS - PRICE * generations.count()
    assert credits.ledger_sum(user.pk) == credits.balance_of(user.pk)


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


@against_real_postgresql
def test_cutting_the_database_mid_request_never_leaves_a_half_written_charge(
    server: Server, proxy: TcpProxy, live: str, alice: Any
) -> None:
    answers: dict[str, list[int]] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def stream(worker: int) -> None:
        for n in range(400):  # bounded, whatever happens
            if stop.is_set():
                return
            key = f"cut-{worker}-{n}"
            try:
                status, _ = generate(server, live, key)
            except (OSError, http.client.HTTPException, ValueError):
                status = 0  # no HTTP answer at all: fails the test below
            with lock:
                answers[key] = [status]

    threads = [threading.Thread(target=stream, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(4):
            time.sleep(0.3)
            proxy.stop()
            time.sleep(0.2)
            proxy.start()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    wait_until_healthy(server)

    # Retry every request that got no definite answer, with its Idempotency-Key.
    for key, statuses in answers.items():
        if statuses[-1] == 503:
            statuses.append(generate(server, live, key)[0])

    seen = {status for statuses in answers.values() for status in statuses}
    assert seen <= {201, 409, 503}, seen
    assert 503 in seen  # the cuts did interrupt requests
    assert all(statuses[-1] in (201, 409) for statuses in answers.values())
    stored = IdempotencyRecord.objects.filter(account=alice, status_code=201).count()
    assert Generation.objects.filter(owner=alice).count() == stored
    assert sum(statuses[-1] == 201 for statuses in answers.values()) == stored
    assert_books_balance(alice)


def bearer_header(raw_key: str) -> dict[str, str]:
    return {"Authorization": bearer(raw_key)["HTTP_AUTHORIZATION"]}


@pytest.mark.django_db
def test_outside_gunicorn_an_outage_in_authentication_is_503_too(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-process path, for the embedded default too: the failure inside DRF's
    authentication step, not in a view."""

    def unreachable(lookup_id: str, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(verification, "lookup", unreachable)

    response = Client().get("/v1/account", **bearer(live))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "Connection refused" not in response.json()["error"]["message"]


@pytest.mark.django_db
def test_an_outage_in_the_middle_of_a_charge_writes_nothing(
    live: str, alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generation row is written, then the charge fails: the transaction takes both."""

    def lost(generation: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(credits, "charge", lost)

    response = Client().post(
        f"/v1/models/{MODEL}",
        data={"prompt": "a kite"},
        content_type="application/json",
        **bearer(live),
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert Generation.objects.count() == 0
    assert credits.balance_of(alice.pk) == FUNDS == credits.ledger_sum(alice.pk)


def test_the_middleware_answers_an_outage_outside_drf_with_the_envelope() -> None:
    middleware = ApiOutageMiddleware(lambda request: HttpResponse())
    factory = RequestFactory()
    outage = OperationalError("could not connect to server")

    api = middleware.process_exception(factory.get("/v1/account"), outage)
    console = middleware.process_exception(factory.get("/developer/"), outage)
    bug = middleware.process_exception(factory.get("/v1/account"), ValueError("a bug"))

    assert api is not None and api.status_code == 503
    assert json.loads(api.content)["error"]["code"] == "service_unavailable"
    assert api["Retry-After"] == "5"
    assert console is None
    assert bug is None
