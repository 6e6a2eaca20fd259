"""Changelist filters for API keys whose values are not plain columns."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apikeys.models import SCOPES, ApiKey


def status_of(api_key: ApiKey) -> str:
    if api_key.is_revoked:
        return "Revoked"
    if api_key.is_expired:
        return "Expired"
    return "Active"


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        # Revoked wins over expired, as in status_of: a key is in exactly one bucket.
        if self.value() == "active":
            return queryset.filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True
            )
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


class ScopeFilter(admin.SimpleListFilter):
    title = "scope"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(scope, scope) for scope in SCOPES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        scope = self.value()
        if scope not in SCOPES:
            return queryset
        # Scopes are stored as one space-separated string; match whole words only.
        return queryset.filter(
            Q(scopes=scope)
            | Q(scopes__startswith=f"{scope} ")
            | Q(scopes__endswith=f" {scope}")
            | Q(scopes__contains=f" {scope} ")
        )
