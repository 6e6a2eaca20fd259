"""The console's named rate limits read apikeys' APIKEYS_CONSOLE_* settings on every use."""

from __future__ import annotations

from typing import Any

from clipia_console.console.conf import conf
from clipia_console.lib.conf import RatePolicy


def test_the_create_revoke_and_roll_limits_are_named_policies_of_the_settings(
    settings: Any,
) -> None:
    settings.APIKEYS_CONSOLE_CREATE_LIMIT = 3
    settings.APIKEYS_CONSOLE_REVOKE_LIMIT = 4
    settings.APIKEYS_CONSOLE_ROLL_LIMIT = 5
    settings.APIKEYS_CONSOLE_WINDOW_SECONDS = 120

    policies = conf.RATE_LIMITS

    assert policies == {
        "console:create": RatePolicy("console:create", 3, 120),
        "console:revoke": RatePolicy("console:revoke", 4, 120),
        "console:roll": RatePolicy("console:roll", 5, 120),
    }
