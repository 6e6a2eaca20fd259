"""The lib package's settings: one typed property each, read where it is needed, with its
default beside it (django-cors-headers' conf.py is the model). A project sets any of them in
its Django settings under the name shown; ``clipia_console.settings`` sets one only when
its environment variable is set, so the default here applies otherwise.

Properties read ``django.conf.settings`` on every access, so ``override_settings`` and
pytest-django's ``settings`` fixture reach them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """A named rate limit: at most ``limit`` events per fixed ``window`` of seconds for
    each key counted under ``name`` (clipia_console.lib.ratelimit.enforce)."""

    name: str
    limit: int
    window: int


def by_name(*policies: RatePolicy) -> dict[str, RatePolicy]:
    """A package's ``RATE_LIMITS``: its policies, by name."""
    return {policy.name: policy for policy in policies}


def int_setting(name: str, default: int, *, minimum: int = 0) -> int:
    """The Django setting ``name`` as a whole number of at least ``minimum``, else
    ``default``; ImproperlyConfigured for anything else, so a typo fails loudly."""
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, not {value!r}")
    return value


class Settings:
    @property
    def APIKEYS_NUM_PROXIES(self) -> int:
        """Reverse proxies in front of the app whose X-Forwarded-For is trusted for the
        client address (lib.client_address); 0: REMOTE_ADDR only."""
        return int_setting("APIKEYS_NUM_PROXIES", 0)

    @property
    def APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS(self) -> int:
        """After an error or timeout of the rate limits' cache (Redis down or hung), each
        process counts in process for this long before it tries the cache again: a hung
        Redis then costs a socket timeout once per period, not on every cache call."""
        return int_setting("APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS", 30)

    @property
    def APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS(self) -> int:
        """Argon2id verifications allowed per window per client address (IPv6 per /64),
        for the rare key whose verifier must be re-derived (stored before verifiers
        existed, or under a pepper no longer configured); past that, 429. Counted per
        address only, never per key id: a flood of wrong secrets for a key must not lock
        its owner out (keys with a current verifier never get here: one HMAC each)."""
        return int_setting("APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS", 30)

    @property
    def APIKEYS_SLOW_VERIFY_WINDOW_SECONDS(self) -> int:
        return int_setting("APIKEYS_SLOW_VERIFY_WINDOW_SECONDS", 60, minimum=1)

    @property
    def RATE_LIMITS(self) -> dict[str, RatePolicy]:
        """The named limits lib itself counts, by name."""
        window = self.APIKEYS_SLOW_VERIFY_WINDOW_SECONDS
        return by_name(
            RatePolicy("slow-verify:addr", self.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS, window),
        )


conf = Settings()
