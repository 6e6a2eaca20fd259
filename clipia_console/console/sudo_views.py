"""Confirm it is you, in the console: the step a sensitive POST goes through when the
sign-in is older than APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS (the rule: accounts.sudo).

A view calls ``ask_unless_recent`` once its form is valid, just before it acts. It answers
None (go ahead: the session is recent, or this very POST carried the right password), or
the page that asks for the password. That page is a plain form posting back to the same
URL with every field the first POST had as a hidden input, so nothing typed is lost and no
JavaScript is needed; the password is never carried, logged or shown. Behind htmx the page
replaces the console's content (HX-Retarget), and its form is a full-page POST, because
the view's answer after confirming is a page, not the partial the first request wanted.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render

from clipia_console.accounts import sudo
from clipia_console.accounts.conf import conf
from clipia_console.lib.ratelimit import with_retry_after

# Never carried through: Django's own token (the page makes a fresh one) and the password.
_NOT_CARRIED = frozenset({"csrfmiddlewaretoken", sudo.PASSWORD_FIELD})


def ask_unless_recent(request: HttpRequest, *, action: str, cancel_url: str) -> HttpResponse | None:
    """None if the POST may act now; otherwise the confirmation page (200 to ask, 422 for
    a wrong password, 429 with Retry-After past the sign-in limits). ``action`` completes
    "Enter your password to …", e.g. "create a live key"."""
    if sudo.is_recent(request):
        return None
    if sudo.PASSWORD_FIELD not in request.POST:
        return _ask(request, action, cancel_url, error="", status=200)
    outcome = sudo.confirm(request, request.POST[sudo.PASSWORD_FIELD])
    if outcome.is_confirmed:
        return None
    if outcome.retry_after is not None:
        response = _ask(request, action, cancel_url, error=outcome.message, status=429)
        return with_retry_after(response, outcome.retry_after)
    return _ask(request, action, cancel_url, error=outcome.message, status=422)


def _ask(
    request: HttpRequest, action: str, cancel_url: str, *, error: str, status: int
) -> HttpResponse:
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_CARRIED
        for value in values
    ]
    get_token(request)  # the page's form needs a CSRF cookie even after an htmx POST
    context = {
        "action": action,
        "cancel_url": cancel_url,
        "carried": carried,
        "error": error,
        "minutes": conf.APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS // 60,
        "password_field": sudo.PASSWORD_FIELD,
        "post_url": request.get_full_path(),
        "tab": "api_keys",
    }
    if request.headers.get("HX-Request") == "true":
        response = render(
            request, "console/partials/sudo_confirm_card.html", context, status=status
        )
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, "console/sudo_confirm.html", context, status=status)
