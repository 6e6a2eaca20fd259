"""Sign-in for the console: Django's LoginView with failed attempts rate-limited per
username and per client address."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from apikeys import conf, ratelimit
from apikeys.client import client_address
from apikeys.ratelimit import too_many_message, with_retry_after

logger = logging.getLogger(__name__)


class SignInView(LoginView):
    """Django's sign-in with failed attempts counted per username and per client address.
    Past either limit every attempt is refused before the password is checked."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        blocked_until = _blocked_until(_sign_in_buckets(request))
        if blocked_until is not None:
            # Unbound, so that no password is checked while the limit holds.
            username = str(request.POST.get("username", ""))[:150]
            form = AuthenticationForm(request, initial={"username": username})
            return self.too_many_message(form, max(1, int(blocked_until - time.time())))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if not form.has_error("__all__", "invalid_login"):
            return super().form_invalid(form)  # an empty field is not a guess
        window = int(conf.get("APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS"))
        limits = {
            "username": int(conf.get("APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME")),
            "address": int(conf.get("APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS")),
        }
        buckets = _sign_in_buckets(self.request)
        waits = [
            ratelimit.hit(bucket, limit=limits[kind], window=window)
            for bucket, kind in buckets.items()
        ]
        retry_after = max((wait for wait in waits if wait is not None), default=None)
        if retry_after is None:
            return super().form_invalid(form)
        # hit() only counts; these markers are what refuse the next attempts unchecked.
        _block({bucket: wait for bucket, wait in zip(buckets, waits, strict=True) if wait})
        return self.too_many_message(form, retry_after)

    def too_many_message(self, form: AuthenticationForm, retry_after: int) -> HttpResponse:
        if form.is_bound:
            form.errors.clear()  # the limit's message replaces "wrong password"
        context = self.get_context_data(
            form=form, too_many=too_many_message("failed sign-ins", retry_after)
        )
        return with_retry_after(self.render_to_response(context, status=429), retry_after)


def _sign_in_buckets(request: HttpRequest) -> dict[str, str]:
    """Cache keys of the sign-in limits this attempt counts against, with their kind.
    Usernames are hashed: any text may be typed there, and cache keys must stay short."""
    username = str(request.POST.get("username", "")).strip().casefold()
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    buckets = {f"sign-in:username:{digest}": "username"}
    address = client_address(request)
    if address:
        buckets[f"sign-in:address:{address}"] = "address"
    return buckets


def _blocked_until(buckets: dict[str, str]) -> float | None:
    """When the latest sign-in block on these buckets ends, or None if none holds."""
    try:
        until = cache.get_many([f"blocked:{bucket}" for bucket in buckets]).values()
    except Exception:  # whatever an unreachable cache backend raises
        # Sign-in must not fail with the cache; hit() still counts failures in process
        # and answers 429 past the limit, only a right password is no longer refused.
        logger.warning("sign-in block markers unreadable; cache unavailable")
        return None
    return max(until, default=None)


def _block(waits: dict[str, int]) -> None:
    try:
        for bucket, wait in waits.items():
            cache.set(f"blocked:{bucket}", time.time() + wait, timeout=wait)
    except Exception:  # as in _blocked_until: degrade, never fail the request
        logger.warning("sign-in block markers unwritable; cache unavailable")
