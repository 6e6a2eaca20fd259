"""Confirm it is you: the account password again before a sensitive action (creating a
live key, rolling a key, raising a budget) when the sign-in is older than
APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS, as GitHub's sudo mode and Stripe's confirmation do.
A session stolen an hour ago cannot mint a live key without the password.

The moment is kept in the session: set at sign-in (user_logged_in) and at each successful
confirmation. Wrong passwords count in the sign-in limits of that account and address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from clipia_console.accounts import signin
from clipia_console.accounts.conf import conf
from clipia_console.lib import clock, ratelimit
from clipia_console.lib.ratelimit import RateLimited, too_many_message

SESSION_KEY = "apikeys_confirmed_at"
PASSWORD_FIELD = "confirm_password"


@dataclass(frozen=True, slots=True)
class Outcome:
    is_confirmed: bool
    message: str = ""
    retry_after: int | None = None


def is_recent(request: HttpRequest) -> bool:
    """Whether this session signed in or confirmed the password recently enough."""
    confirmed_at = request.session.get(SESSION_KEY)
    if not isinstance(confirmed_at, (int, float)):
        return False
    age = clock.now().timestamp() - confirmed_at
    return 0 <= age < conf.APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS


def confirm(request: HttpRequest, password: str) -> Outcome:
    """Check ``password`` for the signed-in user, under the sign-in limits."""
    limits = signin.sign_in_limits(request, request.user.get_username())
    try:
        ratelimit.enforce_all(limits)
    except RateLimited as refused:
        wait = refused.retry_after
        return Outcome(False, too_many_message("failed sign-ins", wait), wait)
    if not password or not request.user.check_password(password):
        return Outcome(False, "That is not your password. Try again.")
    signin.give_back(limits)
    mark_recent(request)
    return Outcome(True)


def mark_recent(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = clock.now().timestamp()


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_recent(request)
