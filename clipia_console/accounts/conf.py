"""The accounts package's settings: one typed property each, with its default beside it
(as clipia_console.lib.conf, whose conventions apply). The names keep their historical
APIKEYS_ prefix: operators and the README use them.
"""

from __future__ import annotations

from clipia_console.lib.conf import RatePolicy, by_name, int_setting


class Settings:
    @property
    def APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME(self) -> int:
        """Failed sign-ins per window, to the console and to the admin alike, per username:
        slows guessing one account's password from many addresses. The lower of the two,
        and once either is used up every attempt, right password or not, is refused (429)
        before any password is checked, so guessing learns nothing."""
        return int_setting("APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME", 10)

    @property
    def APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS(self) -> int:
        """The same per client address (IPv6 per /64): slows one address trying many
        accounts."""
        return int_setting("APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30)

    @property
    def APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS(self) -> int:
        return int_setting("APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)

    @property
    def APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS(self) -> int:
        """Creating a live key, rolling a key or raising a budget asks for the password
        again when the session signed in (or last confirmed) longer ago than this
        (accounts.sudo)."""
        return int_setting("APIKEYS_CONFIRM_PASSWORD_AFTER_SECONDS", 15 * 60)

    @property
    def RATE_LIMITS(self) -> dict[str, RatePolicy]:
        """The named limits of sign-in (and of the password confirmation, which counts as
        a sign-in attempt), by name."""
        window = self.APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS
        return by_name(
            RatePolicy("sign-in:username", self.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME, window),
            RatePolicy("sign-in:address", self.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS, window),
        )


conf = Settings()
