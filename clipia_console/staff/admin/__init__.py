"""The Django admin for Clipia staff: each model's admin in a module of its own."""

from __future__ import annotations

from clipia_console.staff.admin import accounts, generations, keys, spend  # noqa: F401
