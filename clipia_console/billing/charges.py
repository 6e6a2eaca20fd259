"""What billing needs of the thing it charges for: a charge, described by a Protocol so
money never imports the product above it (``generations.Generation`` satisfies it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Charge(Protocol):
    """A saved, priced thing a key's owner pays for: what the charge, its refund, the
    ledger and the usage totals read. ``pk`` is what a ledger entry's ``generation``
    foreign key stores."""

    @property
    def pk(self) -> Any: ...

    @property
    def owner_id(self) -> int: ...

    @property
    def api_key_id(self) -> int | None: ...

    @property
    def model_id(self) -> str: ...

    @property
    def environment(self) -> str: ...

    @property
    def cost(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def budget_window_start(self) -> datetime | None: ...
