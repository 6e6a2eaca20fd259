"""The one answer to "may this key generate this model from here" (controls.may_generate),
and the key's own spelling of usable and can roll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from apikeys import controls
from apikeys.conf import conf
from apikeys.exceptions import AddressNotAllowed, KeyPaused, MayNotGenerate, ModelNotAllowed
from apikeys.models import ApiKey
from clipia_console.lib import clock
from tests.support import FAST, MOTION, STAFF_COMMAND, MakeKey


@pytest.fixture
def key(alice: User, make_key: MakeKey) -> ApiKey:
    api_key, _ = make_key(alice, "live")
    return api_key


def test_an_unrestricted_key_may_generate_anything_from_anywhere(key: ApiKey) -> None:
    controls.may_generate(key, MOTION, None)
    controls.may_generate(key, FAST, "198.51.100.1")


def test_a_paused_key_may_not_generate(key: ApiKey) -> None:
    controls.pause(key, actor=STAFF_COMMAND)

    with pytest.raises(KeyPaused):
        controls.may_generate(key, MOTION, "198.51.100.1")


def test_a_model_off_the_keys_list_is_refused_with_the_list(key: ApiKey) -> None:
    key.allowed_models = [FAST]

    with pytest.raises(ModelNotAllowed) as refused:
        controls.may_generate(key, MOTION, None)

    assert (refused.value.model_id, refused.value.allowed) == (MOTION, [FAST])
    controls.may_generate(key, FAST, None)


@pytest.mark.parametrize("address", ["198.51.100.1", None])
def test_an_address_outside_the_keys_networks_is_refused(key: ApiKey, address: str | None) -> None:
    key.allowed_ips = ["203.0.113.0/24"]

    with pytest.raises(AddressNotAllowed) as refused:
        controls.may_generate(key, MOTION, address)

    assert refused.value.address == address
    assert isinstance(refused.value, MayNotGenerate)
    controls.may_generate(key, MOTION, "203.0.113.9")


def test_usable_and_can_roll_agree_with_the_status_and_the_queryset(key: ApiKey) -> None:
    now = clock.now()
    assert key.is_usable(now) and key.can_roll(now)
    controls.pause(key, actor=STAFF_COMMAND)
    assert key.is_usable(now) and key.can_roll(now)
    assert list(ApiKey.objects.usable(now)) == [key]

    key.expires_at = now + timedelta(minutes=1)
    later = now + timedelta(minutes=2)
    assert not key.is_usable(later) and not key.can_roll(later)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=key.expires_at)
    assert list(ApiKey.objects.usable(later)) == []


def test_settings_are_typed_and_read_at_each_access() -> None:
    assert conf.MAX_ACTIVE_KEYS == 25
    with override_settings(APIKEYS_MAX_ACTIVE_KEYS="3", APIKEYS_PEPPER_FALLBACKS=("a",)):
        assert conf.MAX_ACTIVE_KEYS == 3
        assert conf.PEPPER_FALLBACKS == ["a"]
