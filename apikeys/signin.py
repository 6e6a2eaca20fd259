"""Sign-in for the console: Django's LoginView with failed attempts rate-limited per
username and per client address."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse

from apikeys import conf, ratelimit
from apikeys.client import client_address
from apikeys.ratelimit import too_many_message, with_retry_after


class SignInView(LoginView):
    """Django's sign-in with failed attempts counted per username and per client address.
    Past either limit every attempt is refused before the password is checked."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        retry_after = _worst(ratelimit.exceeded, _sign_in_limits(request))
        if retry_after is not None:
            # Unbound, so that no password is checked while the limit holds.
            username = str(request.POST.get("username", ""))[:150]
            form = AuthenticationForm(request, initial={"username": username})
            return self._refuse(form, retry_after)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if not form.has_error("__all__", "invalid_login"):
            return super().form_invalid(form)  # an empty field is not a guess
        retry_after = _worst(ratelimit.hit, _sign_in_limits(self.request))
        if retry_after is None:
            return super().form_invalid(form)
        return self._refuse(form, retry_after)

    def _refuse(self, form: AuthenticationForm, retry_after: int) -> HttpResponse:
        if form.is_bound:
            form.errors.clear()  # the limit's message replaces "wrong password"
        context = self.get_context_data(
            form=form, too_many=too_many_message("failed sign-ins", retry_after)
        )
        return with_retry_after(self.render_to_response(context, status=429), retry_after)


def _sign_in_limits(request: HttpRequest) -> list[tuple[str, int]]:
    """The (bucket, limit) pairs this attempt counts against. Usernames are hashed: any
    text may be typed there, and cache keys must stay short."""
    username = str(request.POST.get("username", "")).strip().casefold()
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    limits = [
        (f"sign-in:username:{digest}", int(conf.get("APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME")))
    ]
    address = client_address(request)
    if address:
        limits.append(
            (f"sign-in:address:{address}", int(conf.get("APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS")))
        )
    return limits


def _worst(check: Callable[..., int | None], limits: list[tuple[str, int]]) -> int | None:
    """The longest wait ``check`` (ratelimit.hit or ratelimit.exceeded) gives any limit."""
    window = int(conf.get("APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS"))
    waits = [check(bucket, limit=limit, window=window) for bucket, limit in limits]
    return max((wait for wait in waits if wait is not None), default=None)
