"""What every console view stands on: the signed-in request it is typed for, and the sign-in
guard that knows where to come back to (signing in itself: accounts.signin)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


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
