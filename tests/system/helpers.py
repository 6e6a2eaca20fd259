"""Helpers shared by the tests/system test modules (plain functions and constants)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from typing import Any

import pytest

from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations.models import Generation
from tests.system.servers import Server, free_port

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
