"""The console's key lifecycle after creation: roll a key, end its old secret's grace,
rename it and note where it lives. Each a page with a real form (GET shows it, POST acts),
with htmx swapping the answer in place; every change is one call to apikeys.rolling or
apikeys.services, which write the audit event. A key is found among the keys the person
may see only (console.pages.keys_of; 404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from apikeys import rolling, services
from apikeys.audit import Actor
from apikeys.exceptions import CannotRoll
from apikeys.models import ApiKey
from apikeys.status import KeyStatus
from clipia_console.accounts import sudo
from clipia_console.console.conf import conf
from clipia_console.console.key_list_views import row_changed
from clipia_console.console.lifecycle_forms import EditKeyForm, RollForm
from clipia_console.console.pages import account_url, keys_of, page_context
from clipia_console.console.signed_in import ConsoleRequest, sign_in_required
from clipia_console.console.sudo_views import ask_unless_recent
from clipia_console.lib import clock, form_tokens, ratelimit
from clipia_console.lib.ratelimit import RateLimited, too_many_message, with_retry_after

CANNOT_ROLL_STATUS = 409
ROLLED_ALREADY = (
    "This form was already used — the key was rolled and its new key shown once. "
    "Roll again below only if you need another new key."
)


def _this_page(request: ConsoleRequest) -> str:
    """Where signing in comes back to: the page that asks for the action again (a POST
    cannot be replayed), or the list an htmx request came from."""
    return request.htmx.current_url_abs_path or request.get_full_path()


@never_cache
@sensitive_post_parameters(sudo.PASSWORD_FIELD)
@sign_in_required(_this_page)
@require_http_methods(["GET", "POST"])
def roll(request: ConsoleRequest, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(keys_of(request.user), pk=key_id)
    form = RollForm(request.POST or None, api_key=api_key)
    context = page_context(
        request,
        key=api_key,
        form=form,
        form_token=form_tokens.new(),
        in_grace=rolling.previous_works(api_key, clock.now()),
    )
    if not api_key.can_roll(clock.now()):
        context["error"] = _cannot_roll_message(api_key)
        status = 200 if request.method == "GET" else CANNOT_ROLL_STATUS
        return _render_roll(request, context, status=status)
    if request.method == "GET" or not form.is_valid():
        return _render_roll(request, context, status=200 if request.method == "GET" else 422)
    cancel_url = reverse("console:roll", args=[api_key.pk])
    confirming = ask_unless_recent(request, action=f"roll “{api_key.name}”", cancel_url=cancel_url)
    return confirming or _roll(request, api_key, form, context)


# Error reports (DEBUG pages, error emails) show "********" for these locals, not the key.
@sensitive_variables("raw_key", "context")
def _roll(
    request: ConsoleRequest, api_key: ApiKey, form: RollForm, context: dict[str, Any]
) -> HttpResponse:
    # Single-use, as the create form's: a reload that re-POSTs must not roll again, which
    # would retire at once the old secret that production still uses.
    token = str(request.POST.get(form_tokens.FIELD, ""))
    if not form_tokens.is_well_formed(token):
        context["alert"] = form_tokens.OUT_OF_DATE
        return _render_roll(request, context, status=422)
    try:
        ratelimit.enforce(conf.RATE_LIMITS["console:roll"], str(request.user.pk))
    except RateLimited as limited:
        context["alert"] = too_many_message("rolls", limited.retry_after)
        response = _render_roll(request, context, status=429)
        return with_retry_after(response, limited.retry_after)
    if not form_tokens.claim(token):
        context["alert"] = ROLLED_ALREADY
        return _render_roll(request, context, status=409)
    try:
        actor = Actor.from_request(request, owner_id=api_key.owner_id)
        api_key, raw_key = rolling.roll_key(
            api_key, grace=form.chosen_grace, quiet_after=form.chosen_quiet_after, actor=actor
        )
    except CannotRoll as exc:
        form_tokens.release(token)
        context["error"] = str(exc)
        return _render_roll(request, context, status=CANNOT_ROLL_STATUS)
    # As at creation: the new key lives in this response only (never_cache: no-store).
    context["new_key"] = {"row": api_key, "value": raw_key, "curl_url": account_url(request)}
    return _render_roll(request, context, status=200)


@sensitive_variables("context")
def _render_roll(request: ConsoleRequest, context: dict[str, Any], *, status: int) -> HttpResponse:
    template = "console/partials/roll_area.html" if request.htmx else "console/roll.html"
    return render(request, template, context, status=status)


def _cannot_roll_message(api_key: ApiKey) -> str:
    state = "revoked" if api_key.status == KeyStatus.REVOKED else "expired"
    return f"“{api_key.name}” is {state}, so it cannot be rolled. Create a new key instead."


@never_cache
@sign_in_required(_this_page)
@require_http_methods(["GET", "POST"])
def end_grace(request: ConsoleRequest, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(keys_of(request.user), pk=key_id)
    in_grace = rolling.previous_works(api_key, clock.now())
    if request.method == "GET":
        context = page_context(request, key=api_key, in_grace=in_grace)
        return render(request, "console/end_grace_confirm.html", context)
    actor = Actor.from_request(request, owner_id=api_key.owner_id)
    ended = in_grace and rolling.end_grace(api_key, actor=actor)
    if ended:
        announcement = (
            f"The old secret of “{api_key.name}” is retired. Requests with it now get 401."
        )
    else:
        announcement = f"“{api_key.name}” has no old secret in its grace period."
    return row_changed(request, api_key, announcement)


@never_cache
@sign_in_required(_this_page)
@require_http_methods(["GET", "POST"])
def edit(request: ConsoleRequest, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(keys_of(request.user), pk=key_id)
    initial = {"name": api_key.name, "note": api_key.note, "return_to": request.GET.get("from")}
    form = EditKeyForm(request.POST or None, initial=initial)
    if request.method == "GET" and request.htmx and "cancel" in request.GET:
        # Cancel on the row's inline form: the row as it was.
        return render(request, "console/partials/key_row.html", {"key": api_key, "focus": True})
    if request.method == "GET":
        return _render_edit(request, api_key, form, status=200)
    if not form.is_valid():
        return _render_edit(request, api_key, form, status=422)
    try:
        changed = services.update_name_and_note(
            api_key,
            name=form.cleaned_data["name"],
            note=form.cleaned_data["note"],
            actor=Actor.from_request(request, owner_id=api_key.owner_id),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_edit(request, api_key, form, status=422)
    announcement = f"Saved “{api_key.name}”." if changed else "Nothing changed."
    if not request.htmx and form.cleaned_data["return_to"] == "key":
        messages.success(request, announcement)
        return redirect("console:key_page", key_id=api_key.pk)
    return row_changed(request, api_key, announcement)


def _render_edit(
    request: ConsoleRequest, api_key: ApiKey, form: EditKeyForm, *, status: int
) -> HttpResponse:
    template = "console/partials/key_edit_row.html" if request.htmx else "console/edit_key.html"
    context = page_context(request, key=api_key, form=form)
    return render(request, template, context, status=status)
