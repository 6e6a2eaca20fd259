"""Staff pages for users, who are the accounts: never deleted, and each one listed among
the accounts. Registered in place of Django's user admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from clipia_console.staff.admin.permissions import PERMISSIONS_HELP
from clipia_console.staff.admin.search import PastedKeySearchMixin


class AccountUserAdmin(PastedKeySearchMixin, UserAdmin):  # type: ignore[type-arg]
    """Users are the accounts. Deleting one would cascade through its keys' audit trail and
    its ledger, both append-only records staff must be able to trust, so accounts are
    deactivated (is_active off: every key then gets 401) rather than deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "user_permissions" and formfield is not None:
            formfield.help_text = PERMISSIONS_HELP
        return formfield


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AccountUserAdmin)
