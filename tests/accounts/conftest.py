"""Fixtures shared by the tests/accounts test modules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames whose password the authentication backend checked."""
    checked: list[str] = []
    real = ModelBackend.authenticate

    def counting(backend: ModelBackend, request: Any, username: Any = None, **kw: Any) -> Any:
        checked.append(str(username))
        return real(backend, request, username=username, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return checked
