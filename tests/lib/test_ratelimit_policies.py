"""Named rate-limit policies (lib.conf.RatePolicy) and the one refusal, RateLimited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from clipia_console.accounts.conf import conf as accounts_conf
from clipia_console.lib import ratelimit
from clipia_console.lib.conf import RatePolicy, conf
from clipia_console.lib.ratelimit import RateLimited

TWO_AN_HOUR = RatePolicy("tests:two-an-hour", limit=2, window=3600)
TEN_AN_HOUR = RatePolicy("tests:ten-an-hour", limit=10, window=3600)


def test_enforce_allows_the_limit_then_raises_rate_limited_with_the_wait() -> None:
    ratelimit.enforce(TWO_AN_HOUR, "alice")
    ratelimit.enforce(TWO_AN_HOUR, "alice")

    with pytest.raises(RateLimited) as refused:
        ratelimit.enforce(TWO_AN_HOUR, "alice")

    assert 1 <= refused.value.retry_after <= 3600
    ratelimit.enforce(TWO_AN_HOUR, "bob")  # another key, its own count


def test_a_refused_event_is_not_counted() -> None:
    for _ in range(2):
        ratelimit.enforce(TWO_AN_HOUR, "alice")
    for _ in range(3):
        with pytest.raises(RateLimited):
            ratelimit.enforce(TWO_AN_HOUR, "alice")

    used, _ = ratelimit.current("tests:two-an-hour:alice", window=3600)
    assert used == 2


def test_enforce_all_refuses_when_any_policy_is_used_up_and_counts_none() -> None:
    for _ in range(2):
        ratelimit.enforce(TWO_AN_HOUR, "alice")

    with pytest.raises(RateLimited):
        ratelimit.enforce_all([("alice", TEN_AN_HOUR), ("alice", TWO_AN_HOUR)])

    assert ratelimit.current("tests:ten-an-hour:alice", window=3600)[0] == 0
    assert ratelimit.current("tests:two-an-hour:alice", window=3600)[0] == 2


def test_give_back_named_returns_a_count_that_hit_named_took() -> None:
    assert ratelimit.hit_named(TWO_AN_HOUR, "alice") is None
    ratelimit.give_back_named(TWO_AN_HOUR, "alice")

    assert ratelimit.current("tests:two-an-hour:alice", window=3600)[0] == 0


def test_policies_are_read_from_the_settings_they_always_had(settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 4
    settings.APIKEYS_LOGIN_FAILURE_WINDOW_SECONDS = 120
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 7

    assert accounts_conf.RATE_LIMITS["sign-in:username"] == RatePolicy("sign-in:username", 4, 120)
    assert conf.RATE_LIMITS["slow-verify:addr"].limit == 7


@pytest.mark.parametrize("value", ["3", -1, 2.5, True, None])
def test_a_setting_that_is_no_whole_number_is_refused(settings: Any, value: object) -> None:
    settings.APIKEYS_NUM_PROXIES = value

    with pytest.raises(ImproperlyConfigured, match="APIKEYS_NUM_PROXIES"):
        _ = conf.APIKEYS_NUM_PROXIES
