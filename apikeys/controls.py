"""Changing what a key may do: allowed models, allowed addresses, pause. (Its budget,
which needs the usage totals, is set by ``clipia_console.billing.budget_settings``.)

One service per action; the console, the admin and the commands all call these. Each
locks the key row (so it serialises with charges in flight, which update the same row),
refuses a revoked key, writes the change and its audit event (who, when, from where,
old → new in ``details``) in one transaction. Bad input raises Django's
``ValidationError({"field": message})``, a revoked key InvalidSetting; messages are fit to
show. ``may_generate`` is the one answer to "may this key generate this model from here".
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apikeys import audit
from apikeys.audit import Actor
from apikeys.exceptions import (
    AddressNotAllowed,
    InvalidSetting,
    KeyPaused,
    ModelNotAllowed,
)
from apikeys.models import ApiKey, ApiKeyEvent, BudgetPeriod
from apikeys.status import KeyStatus
from clipia_console.lib import clock

MAX_ALLOWED_IPS = 50

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class KeyControls:
    """What a new key may do, set in the transaction that creates it
    (``apikeys.services.create_key``): parsed values, as ``parse_models`` and ``parse_ips``
    return them (None: all models, any address). The budget is set by the billing layer,
    which hears of it through ``apikeys.signals.key_created``."""

    budget_credits: int | None = None
    budget_period: str = BudgetPeriod.MONTH
    allowed_models: list[str] | None = None
    allowed_ips: list[str] | None = None


def may_generate(api_key: ApiKey, model_id: str, address: str | None) -> None:
    """Whether ``api_key`` may generate with ``model_id`` from ``address``, from the row
    authentication loaded (no query): returns, or raises a MayNotGenerate (AddressNotAllowed,
    KeyPaused, ModelNotAllowed). The charge's conditional UPDATE checks the pause again
    under the row's lock (clipia_console.billing.spending): this answers early, that
    stays the final guard."""
    check_address(api_key, address)
    if api_key.status is KeyStatus.PAUSED:
        raise KeyPaused
    if api_key.allowed_models is not None and model_id not in api_key.allowed_models:
        raise ModelNotAllowed(model_id, list(api_key.allowed_models))


def check_address(api_key: ApiKey, address: str | None) -> None:
    """AddressNotAllowed unless the key works from ``address`` (None: unreadable): any
    address when it has no ``allowed_ips``, else one inside them (IPs or CIDRs, v4 or v6)."""
    networks = api_key.allowed_ips
    if networks is None:
        return
    if address is None or not _inside(address, tuple(networks)):
        raise AddressNotAllowed(address)


def _inside(address: str, networks: tuple[str, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _parsed(networks))


@functools.lru_cache(maxsize=1024)
def _parsed(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def parse_models(model_ids: Iterable[str] | None, catalog: Collection[str]) -> list[str] | None:
    """A sorted list of model ids from ``catalog`` (the ids of the models on offer), or
    None for all models."""
    if model_ids is None:
        return None
    chosen = sorted({model_id.strip() for model_id in model_ids if model_id.strip()})
    if not chosen:
        raise ValidationError({"allowed_models": "Choose at least one model, or allow them all."})
    unknown = [model_id for model_id in chosen if model_id not in catalog]
    if unknown:
        raise ValidationError(
            {"allowed_models": f"No model {unknown[0]!r}. GET /v1/models lists the models."}
        )
    return chosen


def parse_ips(entries: Iterable[str] | None) -> list[str] | None:
    """Normalized IPs/CIDRs (IPv4 and IPv6), or None for anywhere."""
    if entries is None:
        return None
    networks: list[str] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValidationError(
                {
                    "allowed_ips": f"{text[:60]!r} is not an IP address or network, like "
                    "203.0.113.7 or 2001:db8::/32."
                }
            ) from None
        if str(network) not in networks:
            networks.append(str(network))
    if not networks:
        raise ValidationError({"allowed_ips": "Give at least one address, or allow any address."})
    if len(networks) > MAX_ALLOWED_IPS:
        raise ValidationError({"allowed_ips": f"A key allows at most {MAX_ALLOWED_IPS} networks."})
    return networks


def set_allowed_models(api_key: ApiKey, model_ids: list[str] | None, *, actor: Actor) -> bool:
    return _set(api_key, "allowed_models", model_ids, ApiKeyEvent.Kind.MODELS_CHANGED, actor)


def set_allowed_ips(api_key: ApiKey, networks: list[str] | None, *, actor: Actor) -> bool:
    return _set(api_key, "allowed_ips", networks, ApiKeyEvent.Kind.ADDRESSES_CHANGED, actor)


def widens(allowed: list[str], chosen: list[str] | None) -> bool:
    """Whether ``chosen`` (None: everything) lets a key do more than ``allowed`` (empty:
    everything) does: dropping the list, or adding to it. Widening what a key may spend
    on asks for the password again (accounts.sudo); narrowing never does."""
    if not allowed:
        return False
    return chosen is None or not set(chosen) <= set(allowed)


def pause(api_key: ApiKey, *, actor: Actor) -> bool:
    """Stop the key spending at once (it still reads). True if this call paused it."""
    return _set(
        api_key, "paused_at", clock.now(), ApiKeyEvent.Kind.PAUSED, actor, only_if_none=True
    )


def resume(api_key: ApiKey, *, actor: Actor) -> bool:
    return _set(api_key, "paused_at", None, ApiKeyEvent.Kind.RESUMED, actor)


def _set(
    api_key: ApiKey, name: str, value: Any, kind: str, actor: Actor, *, only_if_none: bool = False
) -> bool:
    with transaction.atomic():
        row = locked(api_key)
        old = getattr(row, name)
        if old == value or (only_if_none and old is not None):
            copy_fields(api_key, {name: old})
            return False
        ApiKey.objects.filter(pk=row.pk).update(**{name: value})
        record_change(row, kind, actor, {name: _shown(old)}, {name: _shown(value)})
    copy_fields(api_key, {name: value})
    return True


def locked(api_key: ApiKey) -> ApiKey:
    row = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if row.revoked_at is not None:
        raise InvalidSetting("This key is revoked; its settings can no longer change.")
    return row


def copy_fields(api_key: ApiKey, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(api_key, name, value)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def record_change(
    api_key: ApiKey, kind: str, actor: Actor, old: dict[str, Any], new: dict[str, Any]
) -> None:
    audit.record(api_key, kind, actor, details={"old": old, "new": new})


def summary(api_key: ApiKey) -> list[str]:
    """The key's spend controls, one line each, as the commands print them."""
    if api_key.budget_credits is None:
        budget = "none"
    else:
        budget = f"{api_key.budget_credits} credits per {api_key.budget_period}"
    return [
        f"key: {api_key.display_prefix}… ({api_key.name!r})",  # !r: no raw control characters
        f"status: {api_key.status}",
        f"budget: {budget}",
        "models: " + (", ".join(api_key.allowed_models) if api_key.allowed_models else "all"),
        "addresses: " + (", ".join(api_key.allowed_ips) if api_key.allowed_ips else "any"),
    ]


def comma_list(value: str | None) -> list[str] | None:
    return None if value is None else [item for item in value.split(",") if item.strip()]
