"""The Django admin for Clipia staff: each model's admin in a module of its own, each
registered when this package imports it."""

from __future__ import annotations

from django.contrib import admin

from clipia_console.staff.admin import (  # noqa: F401
    accounts,
    events,
    generations,
    keys,
    ledger,
    users,
)

admin.site.site_header = "Clipia staff"
admin.site.site_title = "Clipia staff"
admin.site.index_title = "Support"
