"""Rolling a key from the admin, and ending its old secret's grace early.

Both are a key's own object tools, need ``change_apikey``, ask first (GET) and act on the
POST through ``apikeys.rolling``. The new key is on the roll's response only, as on key
creation: not in a message, the session or a redirect, and the response is ``no-store``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from apikeys import rolling
from apikeys.exceptions import CannotRoll
from apikeys.models import ApiKey
from clipia_console.lib import clock
from clipia_console.staff.admin.key_display import secret_text
from clipia_console.staff.admin.key_forms import RollForm
from clipia_console.staff.admin.support import admin_page, staff_actor

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

ROLL_TEMPLATE = "admin/apikeys/apikey/roll_confirmation.html"
ROLLED_TEMPLATE = "admin/apikeys/apikey/key_rolled.html"
END_GRACE_TEMPLATE = "admin/apikeys/apikey/end_grace_confirmation.html"
# What rolling.roll_key says when it refuses, said before the form is even shown.
CANNOT_ROLL = "A revoked or expired key cannot be rolled. Create a new key."
NO_GRACE = "The old secret of this key is not in a grace period: there is nothing to end."


@sensitive_variables("raw_key")
def roll_view(
    model_admin: ModelAdmin[ApiKey], request: HttpRequest, api_key: ApiKey
) -> HttpResponse:
    """GET: the grace to choose. POST: roll, and show the new key on this response only."""
    if not api_key.can_roll(clock.now()):
        return _back(model_admin, request, api_key, CANNOT_ROLL, messages.ERROR)
    form = RollForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            api_key, raw_key = rolling.roll_key(
                api_key,
                grace=form.grace_period(),
                quiet_after=form.quiet_after(),
                actor=staff_actor(request, owner_id=api_key.owner_id),
            )
        except CannotRoll as exc:
            return _back(model_admin, request, api_key, str(exc), messages.ERROR)
        model_admin.log_change(request, api_key, "Rolled the key.")
        return _rolled_page(model_admin, request, api_key, raw_key)
    return admin_page(
        model_admin,
        request,
        ROLL_TEMPLATE,
        title=f"Roll “{api_key.name}”?",
        original=api_key,
        api_key=api_key,
        form=form,
        submit_label="Roll the key",
        old_secret_works=rolling.previous_works(api_key, clock.now()),
    )


@sensitive_variables("raw_key")
def _rolled_page(
    model_admin: ModelAdmin[ApiKey], request: HttpRequest, api_key: ApiKey, raw_key: str
) -> HttpResponse:
    """The new key, on this response only (no-store)."""
    return admin_page(
        model_admin,
        request,
        ROLLED_TEMPLATE,
        title="API key rolled",
        shows_a_key=True,
        original=api_key,
        api_key=api_key,
        raw_key=raw_key,
        secret=secret_text(api_key, clock.now()),
    )


def end_grace_view(
    model_admin: ModelAdmin[ApiKey], request: HttpRequest, api_key: ApiKey
) -> HttpResponse:
    """GET: "end the grace now?". POST: retire the old secret at once."""
    if not rolling.previous_works(api_key, clock.now()):
        return _back(model_admin, request, api_key, NO_GRACE, messages.WARNING)
    if request.method != "POST":
        return admin_page(
            model_admin,
            request,
            END_GRACE_TEMPLATE,
            title="End the old secret’s grace now?",
            original=api_key,
            api_key=api_key,
            secret=secret_text(api_key, clock.now()),
        )
    if rolling.end_grace(api_key, actor=staff_actor(request, owner_id=api_key.owner_id)):
        model_admin.log_change(request, api_key, "Ended the old secret's grace.")
        text, level = f"The old secret of “{api_key.name}” no longer works.", messages.SUCCESS
    else:
        text, level = NO_GRACE, messages.WARNING
    return _back(model_admin, request, api_key, text, level)


def _back(
    model_admin: ModelAdmin[ApiKey], request: HttpRequest, api_key: ApiKey, text: str, level: int
) -> HttpResponseRedirect:
    model_admin.message_user(request, text, level)
    return HttpResponseRedirect(reverse("admin:apikeys_apikey_change", args=[api_key.pk]))
