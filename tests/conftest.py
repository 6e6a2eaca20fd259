"""Shared fixtures. Personas: alice owns keys and credits, bob is another customer,
staff is a Clipia staff member."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations.models import VideoModel
from clipia_console.lib import ratelimit
from tests.support import PASSWORD, MakeKey, clear_cache, seed_catalog


def uses_real_services() -> bool:
    """Whether @pytest.mark.services tests run: on PostgreSQL, and always in CI when
    DATABASE_URL is set, so that a misconfigured CI leg fails instead of skipping."""
    url = os.environ.get("DATABASE_URL", "")
    return url.startswith(("postgres://", "postgresql://")) or (
        os.environ.get("CI") == "true" and bool(url)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if uses_real_services():
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (and Redis): set DATABASE_URL=postgres://… and REDIS_URL=redis://…"
    )
    for item in items:
        if item.get_closest_marker("services") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Each test starts with no rate-limit counters, in the cache or in process."""
    ratelimit.forget_all()
    clear_cache()
    yield
    ratelimit.forget_all()


@pytest.fixture
def alice(db: Any) -> User:
    return User.objects.create_user("alice", "alice@example.com", PASSWORD)


@pytest.fixture
def bob(db: Any) -> User:
    return User.objects.create_user("bob", "bob@example.com", PASSWORD)


@pytest.fixture
def staff(db: Any) -> User:
    return User.objects.create_superuser("staff", "staff@clipia.example", PASSWORD)


@pytest.fixture
def staff_client(staff: User) -> Client:
    """A browser signed in to the admin as staff."""
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def make_key(db: Any) -> MakeKey:
    """make_key(owner, env="test", scopes=("generate", "read"), name="…") -> (row, raw)."""

    def make(
        owner: User,
        env: str = "test",
        scopes: tuple[str, ...] = ("generate", "read"),
        name: str = "test key",
    ) -> tuple[ApiKey, str]:
        return services.create_key(
            owner=owner,
            name=name,
            environment=env,
            scopes=scopes,
            actor=services.Actor.command("tests"),
        )

    return make


@pytest.fixture
def live_key(alice: User, make_key: MakeKey) -> tuple[ApiKey, str]:
    return make_key(alice, "live", name="alice live")


@pytest.fixture
def test_key(alice: User, make_key: MakeKey) -> tuple[ApiKey, str]:
    return make_key(alice, "test", name="alice test")


@pytest.fixture
def catalog(db: Any) -> None:
    """The model catalog the data migration seeds, for transactional tests: the flush that
    ends each one empties every table. (serialized_rollback would clash with the content
    types that a flush's post_migrate recreates.)"""
    seed_catalog()


@pytest.fixture(autouse=True)
def _catalog_survives_flushes(request: pytest.FixtureRequest) -> None:
    """A test in a transaction sees the migrated catalog even when a transactional test
    (its flush empties every table) ran before it in this process: pytest-xdist, or any
    order but Django's, can put one there. Seeded inside the test's transaction, so rolled
    back with it; transactional tests still start from what the flush left."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        (marker is not None and marker.kwargs.get("transaction", False))
        or "transactional_db" in names
        or "live_server" in names
    )
    if transactional or (marker is None and "db" not in names):
        return
    request.getfixturevalue("db")
    if not VideoModel.objects.exists():
        seed_catalog()


@pytest.fixture
def funded(alice: User) -> User:
    credits.grant(alice, 100, reason="test funds")
    return alice


@pytest.fixture
def api() -> Client:
    """A client that sends no cookies and speaks JSON; pass headers per request."""
    return Client(enforce_csrf_checks=True)
