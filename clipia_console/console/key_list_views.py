"""The developer console's shell and its API Keys tab: the list with the create form
(creating: console.key_creation_views) and revoking a key.

Function views with plain ``if request.htmx:`` branches: an htmx request gets the partial
the full page also includes, anything else gets the whole page, so every action works
without JavaScript. Keys are revoked through apikeys.services only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from apikeys import services
from apikeys.audit import Actor
from apikeys.models import NAME_MAX_LENGTH, ApiKey
from clipia_console.accounts import sudo
from clipia_console.console.conf import conf
from clipia_console.console.key_creation_views import create, render_create
from clipia_console.console.pages import keys_of, page_context
from clipia_console.console.signed_in import ConsoleRequest, sign_in_required
from clipia_console.console.templatetags.console import RESUME_REVOKE
from clipia_console.keyforms.create import CreateKeyForm, typed_fields
from clipia_console.lib import ratelimit
from clipia_console.lib.ratelimit import RateLimited, too_many_message, with_retry_after


def _back_to_the_list(request: ConsoleRequest) -> str:
    """The page the browser showed; for a create, the list with what was typed kept."""
    if request.method == "POST":
        typed = urlencode(typed_fields(request.POST), doseq=True)
        return f"{reverse('console:api_keys')}?{typed}" if typed else reverse("console:api_keys")
    return request.htmx.current_url_abs_path or request.get_full_path()


def _back_to_the_confirmation(request: ConsoleRequest) -> str:
    """A revoke's own confirmation page; the sign-in page names the key this browser was
    revoking (console.templatetags.console.sign_in_reason)."""
    if request.method == "POST":
        name = str(request.POST.get("key_name", ""))[:NAME_MAX_LENGTH]
        request.session[RESUME_REVOKE] = {"path": request.path, "name": name}
    return request.path


@require_GET
def console_home(request: HttpRequest) -> HttpResponse:
    """The console opens on its first tab."""
    return redirect("console:api_keys")


@never_cache
@sensitive_post_parameters(sudo.PASSWORD_FIELD)
@sign_in_required(_back_to_the_list)
@require_http_methods(["GET", "POST"])
def api_keys(request: ConsoleRequest) -> HttpResponse:
    if request.method == "POST":
        return create(request)
    # A create interrupted by signing in comes back with what was typed.
    return render_create(request, CreateKeyForm(initial=typed_fields(request.GET)), status=200)


@never_cache
@sign_in_required(_back_to_the_confirmation)
@require_http_methods(["GET", "POST"])
def revoke(request: ConsoleRequest, key_id: int) -> HttpResponse:
    api_key = get_object_or_404(keys_of(request.user), pk=key_id)
    if request.method == "GET":
        request.session.pop(RESUME_REVOKE, None)
        return render(request, "console/revoke_confirm.html", page_context(request, key=api_key))
    try:
        ratelimit.enforce(conf.RATE_LIMITS["console:revoke"], str(request.user.pk))
    except RateLimited as limited:
        return _revoke_limited(request, api_key, limited)
    was_active = services.revoke_key(
        api_key, actor=Actor.from_request(request, owner_id=api_key.owner_id)
    )
    if was_active:
        announcement = f"Revoked “{api_key.name}”. Requests with it now get 401."
    else:
        announcement = f"“{api_key.name}” was already revoked."
    return row_changed(request, api_key, announcement)


def _revoke_limited(request: ConsoleRequest, api_key: ApiKey, limited: RateLimited) -> HttpResponse:
    """429 where the revoke was asked: its row behind htmx, else its confirmation page."""
    template = "console/partials/key_row.html" if request.htmx else "console/revoke_confirm.html"
    error = too_many_message("revocations", limited.retry_after)
    context = page_context(request, key=api_key, error=error)
    return with_retry_after(render(request, template, context, status=429), limited.retry_after)


def row_changed(request: ConsoleRequest, api_key: ApiKey, announcement: str) -> HttpResponse:
    """The answer to a row action that worked (revoke, end grace, a new name or note): the
    row again in place with ``announcement`` behind htmx, else the list with it as a
    message."""
    if request.htmx:
        # Read the row again, with its events, to show who changed it and when.
        context = {"key": keys_of(request.user).get(pk=api_key.pk), "announcement": announcement}
        return render(request, "console/partials/revoked.html", context)
    messages.success(request, announcement)
    return redirect("console:api_keys")
