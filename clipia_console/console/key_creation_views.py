"""Creating a key in the console: the API Keys tab's create form, POSTed to the tab itself.

A live key asks for the password again (console.sudo_views), every create counts against
the person's console:create limit (console.conf), and the form's single-use token makes a
reload of the answer harmless; then one call, apikeys.services.create_key with the key's
controls, makes the key and its budget in one transaction. The full key is shown once, in
the answer, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from apikeys import services
from apikeys.audit import Actor
from apikeys.controls import KeyControls
from apikeys.exceptions import KeyLimitReached
from clipia_console.console.conf import conf
from clipia_console.console.pages import account_url, keys_page, page_context
from clipia_console.console.signed_in import ConsoleRequest
from clipia_console.console.sudo_views import ask_unless_recent
from clipia_console.keyforms.create import CreateKeyForm
from clipia_console.lib import form_tokens, ratelimit
from clipia_console.lib.ratelimit import RateLimited, too_many_message, with_retry_after


def create(request: ConsoleRequest) -> HttpResponse:
    """The create form's POST: 201 with the new key, else the form again with why not."""
    form = CreateKeyForm(request.POST)
    if not form.is_valid():
        return render_create(request, form, status=422)
    stopped = _confirm_and_count(request, form)
    if stopped is not None:
        return stopped
    token = str(request.POST.get(form_tokens.FIELD, ""))
    if not form_tokens.is_well_formed(token):
        form.add_error(None, form_tokens.OUT_OF_DATE)
        return render_create(request, form, status=422)
    if not form_tokens.claim(token):
        # A reload of the create response: its key exists and was shown once already.
        again = CreateKeyForm(initial={"environment": form.cleaned_data["environment"]})
        return render_create(request, again, status=409, alert=form_tokens.ALREADY_USED)
    return _create_key(request, form, token)


def _confirm_and_count(request: ConsoleRequest, form: CreateKeyForm) -> HttpResponse | None:
    """The password confirmation a live key needs, then the create limit: None to go on,
    else the page that stops the create. Both come before the form's single-use token is
    claimed: the confirmation page carries it, and a refused create may be sent again."""
    if form.cleaned_data["environment"] == "live":
        confirming = ask_unless_recent(
            request, action="create a live key", cancel_url=reverse("console:api_keys")
        )
        if confirming is not None:
            return confirming
    try:
        ratelimit.enforce(conf.RATE_LIMITS["console:create"], str(request.user.pk))
    except RateLimited as limited:
        form.add_error(None, too_many_message("new keys", limited.retry_after))
        response = render_create(request, form, status=429)
        return with_retry_after(response, limited.retry_after)
    return None


# Error reports (DEBUG pages, error emails) show "********" for these locals, not the key.
@sensitive_variables("raw_key", "new_key")
def _create_key(request: ConsoleRequest, form: CreateKeyForm, token: str) -> HttpResponse:
    budget, period = form.cleaned_data["budget"]
    try:
        api_key, raw_key = services.create_key(
            owner=request.user,
            name=form.cleaned_data["name"],
            environment=form.cleaned_data["environment"],
            scopes=form.cleaned_data["scopes"],
            expires_at=form.cleaned_data["expires_at"],
            actor=Actor.from_request(request, owner_id=request.user.pk),
            controls=KeyControls(budget_credits=budget, budget_period=period),
        )
    except (ValidationError, KeyLimitReached) as refused:
        form_tokens.release(token)  # nothing was created: the same form may be sent again
        form.add_error(None, refused if isinstance(refused, ValidationError) else str(refused))
        return render_create(request, form, status=422)
    # The full key lives in this response only: not in the session, messages, a redirect
    # or a cache (never_cache makes it no-store), and not in any log line.
    new_key = {"row": api_key, "value": raw_key, "curl_url": account_url(request)}
    next_form = CreateKeyForm(initial={"environment": api_key.environment})
    response = render_create(request, next_form, status=201, new_key=new_key)
    if request.htmx:
        response["HX-Replace-Url"] = reverse("console:api_keys")  # the list is on page 1 now
    return response


@sensitive_variables("new_key", "context")
def render_create(
    request: ConsoleRequest,
    form: CreateKeyForm,
    *,
    status: int,
    new_key: dict[str, Any] | None = None,
    alert: str = "",
) -> HttpResponse:
    """The API Keys tab with ``form``; behind htmx only its create area (and, after a
    create, the list's first page, swapped out of band)."""
    context = page_context(
        request, form=form, new_key=new_key, form_token=form_tokens.new(), alert=alert
    )
    if request.htmx:
        if new_key is not None:
            context["page"] = keys_page(request.user, 1)
        template = "console/partials/create_response.html"
    else:
        page = 1 if request.method == "POST" else request.GET.get("page", 1)
        context["page"] = keys_page(request.user, page)
        template = "console/api_keys.html"
    return render(request, template, context, status=status)
