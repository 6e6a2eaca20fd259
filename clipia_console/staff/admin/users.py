"""Staff pages for users, who are the accounts: never deleted, and each one listed among
the accounts. Registered (in place of Django's user admin) when ``clipia_console.api.admin``
imports this module."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from clipia_console.billing.models import Account
from clipia_console.staff.admin.permissions import PERMISSIONS_HELP
from clipia_console.staff.admin.search import PastedKeySearchMixin


def open_missing_accounts() -> None:
    """Give every user without one an empty account, so the accounts list holds every
    customer, not only those ever granted credits. An empty account is what a first grant
    would create (balance 0, no ledger entry), so the balance still equals the ledger.
    Done when staff open the list rather than by a signal and a data migration: it holds
    however users were made (createsuperuser, bulk_create, fixtures) and costs one
    anti-join query when nothing is missing."""
    missing = (
        get_user_model().objects.filter(credit_account__isnull=True).values_list("pk", flat=True)
    )
    Account.objects.bulk_create(
        [Account(user_id=user_id) for user_id in missing], ignore_conflicts=True
    )


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
