"""What the console shows a customer, in one place: dates, credits, who revoked a key,
and why the sign-in page was reached."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil

from apikeys.models import ApiKeyEvent
from clipia_console.keyforms.create import SCOPE_HELP
from clipia_console.lib import clock

register = template.Library()

# The customer's view of an audit event's actor. The admin keeps the detail (which staff
# member, which command): a staff username shown to customers invites social engineering.
CUSTOMER_ACTORS: dict[str, str] = {
    ApiKeyEvent.ActorKind.OWNER: "you",
    ApiKeyEvent.ActorKind.STAFF: "Clipia support",
    ApiKeyEvent.ActorKind.COMMAND: "Clipia (automated)",
    ApiKeyEvent.ActorKind.API: "Clipia (automated)",
}

# The session entry a signed-out revoke leaves for the sign-in page (console.key_list_views).
RESUME_REVOKE = "resume_revoke"


@register.filter
def actor_for_customer(event: ApiKeyEvent) -> str:
    return CUSTOMER_ACTORS.get(str(event.actor_kind), "Clipia (automated)")


@register.filter
def ago(value: datetime | None) -> str:
    """A moment relative to now, in words: "just now", "3 hours ago", "in 2 days"."""
    if value is None:
        return ""
    now = clock.now()
    if abs((now - value).total_seconds()) < 60:
        return "just now"
    if value > now:
        return f"in {timeuntil(value, now, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"


@register.filter
def exact_utc(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%b %-d, %Y, %H:%M UTC")


@register.filter
def when(value: datetime | None) -> SafeString:
    """The one date format of the console: relative, with the exact UTC time on hover
    and in the machine-readable ``datetime``."""
    if value is None:
        return format_html("")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact_utc(value), ago(value)
    )


@register.filter
def credits(value: int | None) -> str:
    """1400 → "1 400": groups of three with a narrow no-break space, as the README does."""
    return f"{int(value or 0):,}".replace(",", "\u202f")


@register.simple_tag(takes_context=True)
def sign_in_reason(context: Any) -> str:
    """ "Sign in to finish revoking “Zapier integration”" when this browser was signed out
    mid-revoke. The name is the one this browser's page showed (kept in its own session),
    never read from the database for a visitor who is not signed in."""
    request = context.get("request")
    pending = request.session.get(RESUME_REVOKE) if request is not None else None
    if not isinstance(pending, dict) or pending.get("path") != context.get("next"):
        return ""
    name = str(pending.get("name") or "")
    return (
        f"Sign in to finish revoking “{name}”." if name else "Sign in to finish revoking the key."
    )


@register.filter
def scope_help(scope: str) -> str:
    return SCOPE_HELP.get(scope, "")
