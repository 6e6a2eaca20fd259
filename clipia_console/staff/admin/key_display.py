"""How the key admin shows a key: its computed columns and read-only fields, and the words
for its expiry, exposure and rolled secret, in the list and on the key's page. Read from
the row only; the rules themselves live in apikeys.models (status) and apikeys.rolling
(the old secret's grace)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.status import KeyStatus
from clipia_console.lib import clock

EXPOSED: Final = "Exposed — revoked after a public report"
# Keys expiring this soon are flagged in the list, as the console flags them.
EXPIRES_SOON: Final = timedelta(days=7)


def with_exposure(queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
    """``queryset`` with ``revoked_after_report`` on each key, in the same query: whether
    the key was revoked through POST /v1/keys/revoke (apikeys.exposure)."""
    reports = ApiKeyEvent.objects.filter(
        api_key=OuterRef("pk"),
        kind=ApiKeyEvent.Kind.REVOKED,
        actor_kind=ApiKeyEvent.ActorKind.REPORT,
    )
    return queryset.annotate(revoked_after_report=Exists(reports))


def status_text(api_key: ApiKey) -> str:
    if api_key.status == KeyStatus.REVOKED and getattr(api_key, "revoked_after_report", False):
        return EXPOSED
    return str(api_key.status.label)


def expiry_phrase(api_key: ApiKey, now: datetime) -> str:
    """ "never expires", "expires in 3 days" or "expired 2 days ago"."""
    if api_key.expires_at is None:
        return "never expires"
    if api_key.expires_at <= now:
        return f"expired {timesince(api_key.expires_at, now, depth=1)} ago"
    return f"expires in {timeuntil(api_key.expires_at, now, depth=1)}"


def expires_soon(api_key: ApiKey, now: datetime) -> bool:
    return api_key.expires_at is not None and now < api_key.expires_at <= now + EXPIRES_SOON


def secret_text(api_key: ApiKey, now: datetime) -> str:
    """When the key was rolled and whether its old secret still works, and until when."""
    if api_key.rolled_at is None:
        return "Never rolled: the key has the secret it was created with."
    rolled = f"Rolled {short_time(api_key.rolled_at)} UTC."
    if not rolling.has_previous(api_key):
        return f"{rolled} The old secret no longer works."
    reason = rolling.previous_retired_reason(api_key, now)
    if reason is not None:
        return f"{rolled} The old secret no longer works ({reason})."
    assert api_key.previous_expires_at is not None  # has_previous
    until = api_key.previous_expires_at
    used = api_key.previous_last_used_at
    last_used = (
        f"last used {timesince(used, now, depth=1)} ago" if used else "not used since the roll"
    )
    return (
        f"{rolled} The old secret works until {short_time(until)} UTC "
        f"(in {timeuntil(until, now, depth=1)}), {last_used}."
    )


def expiry_text(api_key: ApiKey, now: datetime) -> str:
    """ "Never", or the moment the key expires and how far that is from ``now``."""
    if api_key.expires_at is None:
        return "Never"
    return f"{short_time(api_key.expires_at)} UTC: {expiry_phrase(api_key, now)}"


def short_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class KeyColumns:
    """The key admin's computed columns and read-only fields."""

    @admin.display(description="prefix")
    def display_prefix(self, api_key: ApiKey) -> str:
        return f"{api_key.display_prefix}…"

    @admin.display(description="status")
    def status(self, api_key: ApiKey) -> str:
        """The status, and when a key that still works expires (in bold within 7 days):
        one column rather than two, so that the list still fits 1440 px."""
        now = clock.now()
        if api_key.expires_at is None or not api_key.is_usable(now):
            return status_text(api_key)
        phrase = format_html("{}, {}", status_text(api_key), expiry_phrase(api_key, now))
        return format_html("<strong>{}</strong>", phrase) if expires_soon(api_key, now) else phrase

    @admin.display(description="expires")
    def expires(self, api_key: ApiKey) -> str:
        return expiry_text(api_key, clock.now())

    @admin.display(description="secret")
    def secret(self, api_key: ApiKey) -> str:
        return secret_text(api_key, clock.now())

    @admin.display(description="last used", ordering="last_used_at")
    def last_used(self, api_key: ApiKey) -> str:
        return short_time(api_key.last_used_at) if api_key.last_used_at else "never"

    @admin.display(description="created", ordering="created_at")
    def created(self, api_key: ApiKey) -> str:
        return short_time(api_key.created_at)

    @admin.display(description="last used from")
    def last_used_address(self, api_key: ApiKey) -> str:
        # Noted by the request path with last_used_at, at most once a minute.
        return api_key.last_used_address or "-"

    @admin.display(description="generations")
    def usage(self, api_key: ApiKey) -> str:
        """How many generations the key made and the credits they cost (net of refunds),
        with a link to the list of them."""
        totals = api_key.generations.aggregate(
            spent=Sum("ledger__amount", filter=Q(ledger__kind__in=("charge", "refund")))
        )
        count = api_key.generations.count()
        url = reverse("admin:generations_generation_changelist") + f"?key={api_key.lookup_id}"
        return format_html(
            '<a href="{}">{} generation{}</a>, {} credits spent',
            url,
            count,
            "" if count == 1 else "s",
            -(totals["spent"] or 0),
        )

    @admin.display(description="revoked by")
    def revoked_by(self, api_key: ApiKey) -> str:
        event = api_key.events.filter(kind=ApiKeyEvent.Kind.REVOKED).select_related("actor").first()
        return event.actor_description if event is not None else "-"
