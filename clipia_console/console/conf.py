"""The console's named rate limits (lib.conf.RatePolicy), read by name in its views and
enforced with lib.ratelimit.enforce. Their figures are apikeys' settings
(APIKEYS_CONSOLE_*), read there with their defaults and why they are what they are.
"""

from __future__ import annotations

from apikeys.conf import conf as apikeys_conf
from clipia_console.lib.conf import RatePolicy, by_name


class Settings:
    @property
    def RATE_LIMITS(self) -> dict[str, RatePolicy]:
        """Keys created, revoked and rolled per person, by name; each counted per user id."""
        window = apikeys_conf.CONSOLE_WINDOW_SECONDS
        return by_name(
            RatePolicy("console:create", apikeys_conf.CONSOLE_CREATE_LIMIT, window),
            RatePolicy("console:revoke", apikeys_conf.CONSOLE_REVOKE_LIMIT, window),
            RatePolicy("console:roll", apikeys_conf.CONSOLE_ROLL_LIMIT, window),
        )


conf = Settings()
