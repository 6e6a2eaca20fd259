"""The developer console: its shell and the API Keys tab (sign-in: apikeys.signin).

Function views with plain ``if request.htmx:`` branches: an htmx request gets the partial
the full page also includes, anything else gets the whole page, so every action works
without JavaScript. Keys are created and revoked through apikeys.services only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from apikeys import services
from apikeys.conf import conf
from apikeys.controls import KeyControls
from apikeys.exceptions import KeyLimitReached
from apikeys.models import NAME_MAX_LENGTH, ApiKey, ApiKeyEvent
from apikeys.status import ApiKeyQuerySet
from clipia_console.accounts import sudo
from clipia_console.billing.credits import balance_of
from clipia_console.console.sudo_views import ask_unless_recent
from clipia_console.console.templatetags.console import RESUME_REVOKE
from clipia_console.keyforms.create import CreateKeyForm, typed_fields
from clipia_console.lib import form_tokens, ratelimit
from clipia_console.lib.ratelimit import too_many_message, with_retry_after

KEYS_PER_PAGE = 20

logger = logging.getLogger(__name__)


class ConsoleRequest(HttpRequest):
    """A signed-in request through HtmxMiddleware (the django-stubs typing pattern)."""

    htmx: HtmxDetails
    user: User


View = Callable[..., HttpResponse]


def sign_in_required(resume: Callable[[ConsoleRequest], str]) -> Callable[[View], View]:
    """login_required, where ``resume(request)`` says where to come back to after signing
    in: a POST cannot be replayed, so it returns to the page that asks for it again. An
    htmx request gets the whole browser sent to sign in (HX-Redirect), not a sign-in page
    swapped into a row."""

    def decorate(view: View) -> View:
        guarded = login_required(view)

        @functools.wraps(view)
        def wrapper(request: ConsoleRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return guarded(request, *args, **kwargs)
            sign_in_url = redirect_to_login(resume(request)).url
            if request.htmx:
                return HttpResponseClientRedirect(sign_in_url)
            return redirect(sign_in_url)

        return wrapper

    return decorate


def _back_to_the_list(request: ConsoleRequest) -> str:
    """The page the browser showed; for a create, the list with what was typed kept."""
    if request.method == "POST":
        typed = urlencode(typed_fields(request.POST), doseq=True)
        return f"{reverse('console:api_keys')}?{typed}" if typed else reverse("console:api_keys")
    return request.htmx.current_url_abs_path or request.get_full_path()


def _back_to_the_confirmation(request: ConsoleRequest) -> str:
    """A revoke's own confirmation page; the sign-in page names the key this browser was
    revoking (apikeys.templatetags.console.sign_in_reason)."""
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
        return _create(request)
    # A create interrupted by signing in comes back with what was typed.
    return _render_create(request, CreateKeyForm(initial=typed_fields(request.GET)), status=200)


@never_cache
@sign_in_required(_back_to_the_confirmation)
@require_http_methods(["GET", "POST"])
def revoke(request: ConsoleRequest, key_id: int) -> HttpResponse:
    # Ownership is part of the query: anyone else's id is indistinguishable from no id.
    api_key = get_object_or_404(_keys_of(request.user), pk=key_id)
    if request.method == "GET":
        request.session.pop(RESUME_REVOKE, None)
        return render(request, "console/revoke_confirm.html", _context(request, key=api_key))
    retry_after = _console_limit(request, "revoke")
    if retry_after is not None:
        error = too_many_message("revocations", retry_after)
        template = (
            "console/partials/key_row.html" if request.htmx else "console/revoke_confirm.html"
        )
        context = _context(request, key=api_key, error=error)
        return with_retry_after(render(request, template, context, status=429), retry_after)
    was_active = services.revoke_key(api_key, actor=_actor(request))
    if was_active:
        announcement = f"Revoked “{api_key.name}”. Requests with it now get 401."
    else:
        announcement = f"“{api_key.name}” was already revoked."
    if request.htmx:
        # Read the row again, with its revocation event, to show who revoked it and when.
        context = {"key": _keys_of(request.user).get(pk=api_key.pk), "announcement": announcement}
        return render(request, "console/partials/revoked.html", context)
    messages.success(request, announcement)
    return redirect("console:api_keys")


# Error reports (DEBUG pages, error emails) show "********" for these locals, not the key.
@sensitive_variables("raw_key", "new_key")
def _create(request: ConsoleRequest) -> HttpResponse:
    form = CreateKeyForm(request.POST)
    if not form.is_valid():
        return _render_create(request, form, status=422)
    if form.cleaned_data["environment"] == "live":
        # Before the form's single-use token is claimed: the confirmation carries it.
        confirming = ask_unless_recent(
            request, action="create a live key", cancel_url=reverse("console:api_keys")
        )
        if confirming is not None:
            return confirming
    retry_after = _console_limit(request, "create")
    if retry_after is not None:
        form.add_error(None, too_many_message("new keys", retry_after))
        return with_retry_after(_render_create(request, form, status=429), retry_after)
    token = str(request.POST.get(form_tokens.FIELD, ""))
    if not form_tokens.is_well_formed(token):
        form.add_error(None, form_tokens.OUT_OF_DATE)
        return _render_create(request, form, status=422)
    if not form_tokens.claim(token):
        # A reload of the create response: its key exists and was shown once already.
        again = CreateKeyForm(initial={"environment": form.cleaned_data["environment"]})
        return _render_create(request, again, status=409, alert=form_tokens.ALREADY_USED)
    budget, period = form.cleaned_data["budget"]
    try:
        api_key, raw_key = services.create_key(
            owner=request.user,
            name=form.cleaned_data["name"],
            environment=form.cleaned_data["environment"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data["expires_at"],
            actor=_actor(request),
            controls=KeyControls(budget_credits=budget, budget_period=period),
        )
    except (ValidationError, KeyLimitReached) as exc:
        form_tokens.release(token)
        _show_refusal(form, exc)
        return _render_create(request, form, status=422)
    # The full key lives in this response only: not in the session, messages, a redirect
    # or a cache (never_cache makes it no-store), and not in any log line.
    new_key = {"row": api_key, "value": raw_key, "curl_url": _account_url(request)}
    next_form = CreateKeyForm(initial={"environment": api_key.environment})
    response = _render_create(request, next_form, status=201, new_key=new_key)
    if request.htmx:
        response["HX-Replace-Url"] = reverse("console:api_keys")  # the list is on page 1 now
    return response


def _show_refusal(form: CreateKeyForm, refused: ValidationError | KeyLimitReached) -> None:
    """create_key's refusal on the field it is about (the form asks for an expiry date,
    expires_on, where create_key takes expires_at), else above the form."""
    if isinstance(refused, KeyLimitReached):
        form.add_error(None, str(refused))
        return
    for field, errors in refused.message_dict.items():
        field = "expires_on" if field == "expires_at" else field
        form.add_error(field if field in form.fields else None, errors)


@sensitive_variables("new_key", "context")
def _render_create(
    request: ConsoleRequest,
    form: CreateKeyForm,
    *,
    status: int,
    new_key: dict[str, Any] | None = None,
    alert: str = "",
) -> HttpResponse:
    context = _context(
        request, form=form, new_key=new_key, form_token=form_tokens.new(), alert=alert
    )
    if request.htmx:
        if new_key is not None:
            context["page"] = _key_page(request.user, 1)
        template = "console/partials/create_response.html"
    else:
        page = 1 if request.method == "POST" else request.GET.get("page", 1)
        context["page"] = _key_page(request.user, page)
        template = "console/api_keys.html"
    return render(request, template, context, status=status)


def _context(request: ConsoleRequest, **extra: Any) -> dict[str, Any]:
    """What every console page shows: its tab and the account's credit balance."""
    return {"tab": "api_keys", "balance": balance_of(request.user.pk), **extra}


def _keys_of(user: User) -> ApiKeyQuerySet:
    """The user's keys with what a row shows: the revocation and exposure events (two
    prefetch queries per page, however many keys; who revoked it is its actor_kind, never
    a staff username), never the hash."""
    revocations = ApiKeyEvent.objects.filter(kind=ApiKeyEvent.Kind.REVOKED)
    # A rolled key's old secret retired after a public report (key_lifecycle says so).
    exposures = ApiKeyEvent.objects.filter(
        kind=ApiKeyEvent.Kind.SECRET_RETIRED, actor_kind=ApiKeyEvent.ActorKind.REPORT
    )
    return (
        ApiKey.objects.visible_to(user)
        .defer("hashed_key")
        .prefetch_related(
            Prefetch("events", queryset=revocations, to_attr="revocations"),
            Prefetch("events", queryset=exposures, to_attr="exposures"),
        )
    )


def _key_page(user: User, number: Any) -> Page[ApiKey]:
    # Newest first through the (owner, -created_at) index.
    return Paginator(_keys_of(user), KEYS_PER_PAGE).get_page(number)


def _actor(request: ConsoleRequest) -> services.Actor:
    return services.Actor.from_request(request, owner_id=request.user.pk)


def _account_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api:account"))


def _console_limit(request: ConsoleRequest, action: Literal["create", "revoke"]) -> int | None:
    return ratelimit.hit(
        f"console:{action}:{request.user.pk}",
        limit=conf.CONSOLE_CREATE_LIMIT if action == "create" else conf.CONSOLE_REVOKE_LIMIT,
        window=conf.CONSOLE_WINDOW_SECONDS,
    )
