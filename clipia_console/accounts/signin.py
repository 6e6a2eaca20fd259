"""Sign-in for the console and for the admin: Django's LoginView with failed attempts
rate-limited per username and per client address, in the same buckets for both pages.

Each attempt is counted before its password is checked, and its count given back unless it
proves a wrong password: once a limit is used up every attempt is refused (429) unchecked,
concurrent ones included, so neither guessing nor the slow password hash gets past it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.crypto import salted_hmac

from clipia_console.accounts.conf import conf
from clipia_console.lib import ratelimit
from clipia_console.lib.client_address import client_address, rate_limit_bucket
from clipia_console.lib.conf import RatePolicy
from clipia_console.lib.ratelimit import RateLimited, too_many_message, with_retry_after


class SignInView(LoginView):
    """Django's sign-in with failed attempts counted per username and per client address.
    Past either limit every attempt is refused before the password is checked."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    _is_wrong_password = False

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limits = sign_in_limits(request)
        try:
            ratelimit.enforce_all(limits)
        except RateLimited as refused:
            # Unbound, so that no password is checked while the limit holds.
            username = str(request.POST.get("username", ""))[:150]
            form = AuthenticationForm(request, initial={"username": username})
            return self._refuse(form, refused.retry_after)
        response = super().post(request, *args, **kwargs)
        if not self._is_wrong_password:
            give_back(limits)  # signed in, or an empty field: not a guess
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        self._is_wrong_password = form.has_error("__all__", "invalid_login")
        return super().form_invalid(form)

    def get_redirect_url(self) -> str:
        """``next``, unless it is this very page: a signed-in visitor would be sent back
        here forever (Django raises rather than loop), so they go to the default page."""
        url = super().get_redirect_url()
        if url and urlsplit(url).path.rstrip("/") == self.request.path.rstrip("/"):
            return ""
        return url

    def _refuse(self, form: AuthenticationForm, retry_after: int) -> HttpResponse:
        context = self.get_context_data(
            form=form, too_many=too_many_message("failed sign-ins", retry_after)
        )
        return with_retry_after(self.render_to_response(context, status=429), retry_after)


class AdminSignInView(SignInView):
    """The admin's sign-in page (what admin.site.login shows) under the console's limits:
    one account is one account, whichever page its password is guessed on."""

    template_name = "admin/login.html"
    authentication_form = AdminAuthenticationForm
    redirect_authenticated_user = False  # a signed-in non-staff user may switch accounts
    next_page = "admin:index"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.current_app = admin.site.name
        if request.method == "GET" and admin.site.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=admin.site.name))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request = self.request
        context.update(
            admin.site.each_context(request),
            title="Log in",
            subtitle=None,
            app_path=request.get_full_path(),
            username=request.user.get_username(),
        )
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=admin.site.name)
        return context

    def _refuse(self, form: AuthenticationForm, retry_after: int) -> HttpResponse:
        # The admin's template shows messages, not our too_many sentence.
        messages.error(self.request, too_many_message("failed sign-ins", retry_after))
        return super()._refuse(form, retry_after)


def sign_in_limits(
    request: HttpRequest, username: str | None = None
) -> list[tuple[str, RatePolicy]]:
    """The (key, policy) pairs this attempt counts against (accounts.conf.RATE_LIMITS): for
    ``username``, or the one typed into the sign-in form.

    The username is counted as Django signs in with it (NFKC, what the user model's
    normalize_username gives), casefolded, so no spelling of a name escapes its bucket.
    It is keyed with a server secret: any text may be typed there, cache keys must stay
    short, and the cache must not hold a guessable digest of each name tried."""
    typed = username if username is not None else str(request.POST.get("username", "")).strip()
    username = get_user_model().normalize_username(typed).casefold()
    digest = salted_hmac(
        "clipia_console.accounts.signin.username", username, algorithm="sha256"
    ).hexdigest()
    policies = conf.RATE_LIMITS
    return [
        (digest[:32], policies["sign-in:username"]),
        (rate_limit_bucket(client_address(request)), policies["sign-in:address"]),
    ]


def give_back(limits: list[tuple[str, RatePolicy]]) -> None:
    """Take back the counts of an attempt that was no guess (signed in, or a field left
    empty)."""
    for key, policy in limits:
        ratelimit.give_back_named(policy, key)
