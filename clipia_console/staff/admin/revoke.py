"""Revoking keys from the admin: a confirmation page first, then ``services.revoke_key``.

Revocation cannot be undone, so, as Django's ``delete_selected`` does, both the changelist
action and a key's own "Revoke this key…" button show every key that would be revoked and
act only on a second POST. The page warns when the keys belong to several customers, or
when a live key was used in the last hour (revoking it breaks a working integration).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin import helpers
from django.http import HttpRequest
from django.template.response import TemplateResponse

from apikeys import services
from apikeys.models import ApiKey
from apikeys.status import KeyStatus
from clipia_console.lib import clock
from clipia_console.staff.admin.support import admin_page, staff_actor

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

CONFIRMATION_TEMPLATE = "admin/apikeys/apikey/revoke_confirmation.html"
# A live key used this recently is probably serving production traffic right now.
RECENT_USE = timedelta(hours=1)


def revoke_warnings(api_keys: Sequence[ApiKey]) -> list[str]:
    """What staff should know before revoking ``api_keys``."""
    warnings = []
    owners = {api_key.owner_id for api_key in api_keys}
    if len(owners) > 1:
        warnings.append(f"These keys belong to {len(owners)} different customers.")
    since = clock.now() - RECENT_USE
    in_use = [
        api_key
        for api_key in api_keys
        if api_key.environment == ApiKey.Environment.LIVE
        and api_key.status is not KeyStatus.REVOKED
        and api_key.last_used_at is not None
        and api_key.last_used_at >= since
    ]
    if in_use:
        names = ", ".join(describe(api_key) for api_key in in_use)
        warnings.append(
            f"{len(in_use)} live key{'s were' if len(in_use) > 1 else ' was'} used in the "
            f"last hour and will stop working at once: {names}."
        )
    return warnings


def confirmation_page(
    model_admin: ModelAdmin[ApiKey],
    request: HttpRequest,
    api_keys: Sequence[ApiKey],
    *,
    from_action: bool,
) -> TemplateResponse:
    """The page that asks "revoke these keys?"; its form is the second POST that acts."""
    revocable = [api_key for api_key in api_keys if api_key.status != KeyStatus.REVOKED]
    return admin_page(
        model_admin,
        request,
        CONFIRMATION_TEMPLATE,
        title="Revoke API keys?" if from_action else f"Revoke “{api_keys[0].name}”?",
        api_keys=api_keys,
        revocable=revocable,
        warnings=revoke_warnings(revocable),
        from_action=from_action,
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        original=None if from_action else api_keys[0],
    )


def revoke_and_report(
    model_admin: ModelAdmin[ApiKey], request: HttpRequest, api_keys: Sequence[ApiKey]
) -> None:
    """Revoke ``api_keys`` as the signed-in staff member and say which keys that was."""
    revoked, skipped = [], []
    for api_key in api_keys:
        if services.revoke_key(api_key, actor=staff_actor(request, owner_id=api_key.owner_id)):
            revoked.append(api_key)
            model_admin.log_change(request, api_key, "Revoked the key.")
        else:
            skipped.append(api_key)
    summary = f"Revoked {len(revoked)} key{'s' if len(revoked) != 1 else ''}"
    summary += f": {', '.join(describe(k) for k in revoked)}." if revoked else "."
    if skipped:
        summary += f" {len(skipped)} already revoked: {', '.join(describe(k) for k in skipped)}."
    model_admin.message_user(request, summary, messages.SUCCESS if revoked else messages.WARNING)


def describe(api_key: ApiKey) -> str:
    """A key as staff recognise it in a message: name, prefix and owner."""
    return f"“{api_key.name}” ({api_key.display_prefix}…, {api_key.owner.get_username()})"
