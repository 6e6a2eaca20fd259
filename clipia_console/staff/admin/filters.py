"""Changelist filters for API keys whose values are not plain columns."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from apikeys.models import SCOPES
from apikeys.status import KeyStatus, status_condition


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(status.value), str(status.label)) for status in KeyStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None or value not in KeyStatus.values:
            return queryset
        return queryset.filter(status_condition(KeyStatus(value)))


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
