"""The request path's one indexed lookup: a key's row and its owner, by lookup id, with
the SQL compiled once per database connection."""

from __future__ import annotations

import threading
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DEFERRED

from apikeys import keys
from apikeys.models import ApiKey

# What the request path reads of a key (its checks, apikeys.verification, and what /v1
# views show) and of its owner, in one indexed lookup. Nothing else is fetched or built:
# not the lookup id, which the caller sent, nor the Argon2id hashes, which only the rare
# slow path reads (and then loads). Each column costs every request a little.
KEY_FIELDS: Final = (
    "id",
    "owner_id",
    "environment",
    "name",
    "scopes",
    "verifier",
    "revoked_at",
    "paused_at",
    "expires_at",
    "last_used_at",
    "generation_rate_limit",
    "rolled_at",
    "previous_verifier",
    "previous_expires_at",
    "previous_last_used_at",
    "previous_quiet_after",
    # Spend controls (clipia_console.billing): the headers, /v1/key and the address check
    # read them from this same row.
    "created_at",
    "budget_credits",
    "budget_period",
    "budget_window_start",
    "budget_spent",
    "allowed_models",
    "allowed_ips",
)
OWNER_FIELDS: Final = ("id", "username", "is_active")


def lookup(lookup_id: str, *, using: str | None = None) -> ApiKey | None:
    """The key with ``lookup_id`` and its owner, through the unique index on lookup_id and
    the owner's primary key, or None.

    The ORM writes the SQL (so it is right for every backend) once per database connection;
    each request then only executes it and builds two partial model instances, as
    ``select_related("owner").only(...)`` would (unfetched fields load on access).
    Compiling a query costs Django several times what the index probe costs the database.
    """
    alias = using or router.db_for_read(ApiKey)
    connection = connections[alias]
    statement = _statement(connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [lookup_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = statement.convert(row)
    split = len(statement.key_fields)
    api_key: ApiKey = statement.key.build(alias, values[:split])
    api_key.lookup_id = lookup_id  # what the query matched on, not fetched again
    owner = statement.owner.build(alias, values[split:])
    ApiKey.owner.field.set_cached_value(api_key, owner)  # what select_related does
    return api_key


# The compiled lookup. Stands in for the lookup id while the ORM compiles the statement.
_LOOKUP_PLACEHOLDER: Final = "?" * keys.LOOKUP_ID_LENGTH


class _Statement:
    """The lookup's SQL and its column converters (SQLite, for one, returns datetimes as
    text), for one database connection."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        # Model.from_db takes values in the model's field order, so select in that order.
        self.key = _Partial(ApiKey, KEY_FIELDS)
        self.owner = _Partial(get_user_model(), OWNER_FIELDS)
        self.key_fields, self.owner_fields = self.key.fields, self.owner.fields
        columns = [*self.key_fields, *(f"owner__{name}" for name in self.owner_fields)]
        queryset = (
            ApiKey.objects.filter(lookup_id=_LOOKUP_PLACEHOLDER).values_list(*columns).order_by()
        )
        compiler = queryset[:1].query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [_LOOKUP_PLACEHOLDER]:
            raise RuntimeError(f"unexpected parameters in the authentication query: {params!r}")
        self.connection = connection
        self.sql = sql
        self._compiler = compiler
        self._converters = compiler.get_converters([column for column, _, _ in compiler.select])

    def convert(self, row: tuple[Any, ...]) -> list[Any]:
        """The row through the backend's converters, as the ORM would, but skipping the
        columns that are NULL (most of a key's optional fields): no converter turns NULL
        into anything else, and this runs on every request."""
        values = list(row)
        for position, (converters, expression) in self._converters.items():
            value = values[position]
            if value is None:
                continue
            for converter in converters:
                value = converter(value, expression, self.connection)
            values[position] = value
        return values


class _Partial:
    """Builds a model instance from some of its fields, as ``Model.from_db`` does, from a
    list already laid out like the model's fields (unfetched ones DEFERRED): from_db would
    otherwise search the field names for each of the model's fields on every request."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...]) -> None:
        concrete = [field.attname for field in model._meta.concrete_fields]
        self.fields = [name for name in concrete if name in names]
        if len(self.fields) != len(names):
            raise RuntimeError(f"{model.__name__} lacks some of {names!r}")
        self.model = model
        self._positions = [concrete.index(name) for name in self.fields]
        self._template: list[Any] = [DEFERRED] * len(concrete)

    def build(self, alias: str, values: list[Any]) -> Any:
        laid_out = self._template.copy()
        for position, value in zip(self._positions, values, strict=True):
            laid_out[position] = value
        return self.model.from_db(alias, self.fields, laid_out)


# Per thread, like Django's connections; a statement never outlives its connection.
_statements = threading.local()


def _statement(connection: BaseDatabaseWrapper) -> _Statement:
    cached: dict[str, _Statement] = _statements.__dict__.setdefault("by_alias", {})
    statement = cached.get(connection.alias)
    if statement is None or statement.connection is not connection:
        statement = cached[connection.alias] = _Statement(connection)
    return statement
