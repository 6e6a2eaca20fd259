"""A charge already past authentication when the key's owner changes what it may do:
the charge's claim, holding the key row's lock, has the last word (issue 18: three charges
with a retired secret committed after the roll had returned)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from apikeys import controls, rolling, services
from apikeys.exceptions import ModelNotAllowed
from apikeys.models import ApiKey
from apikeys.verification import authenticate_key
from clipia_console.billing import credits, spending
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import FAST, MOTION, MakeKey

pytestmark = pytest.mark.usefixtures("catalog")
OWNER = services.Actor.command("tests")


@pytest.fixture
def live(alice: User, make_key: MakeKey) -> tuple[ApiKey, str]:
    credits.grant(alice, 1000, reason="funds")
    return make_key(alice, "live")


def charge(api_key: ApiKey, model: str = MOTION) -> Generation:
    return generations.create(
        api_key=api_key, model=VideoModel.objects.get(pk=model), prompt="a kite", params={}
    )


@pytest.mark.parametrize("how", ["end it now", "end the grace", "report it"])
def test_a_charge_with_an_old_secret_retired_after_authentication_is_refused(
    live: tuple[ApiKey, str], how: str
) -> None:
    row, old = live
    rolling.roll_key(row, grace=timedelta(days=1), actor=OWNER)
    in_flight = authenticate_key(old)  # past authentication with the old secret

    if how == "end it now":
        rolling.roll_key(ApiKey.objects.get(pk=row.pk), grace=timedelta(0), actor=OWNER)
    elif how == "end the grace":
        rolling.end_grace(ApiKey.objects.get(pk=row.pk), actor=OWNER)
    else:
        rolling.end_grace(ApiKey.objects.get(pk=row.pk), actor=OWNER, reason=rolling.EXPOSED)

    with pytest.raises(spending.KeyNoLongerValid):
        charge(in_flight)
    assert not LedgerEntry.objects.filter(kind="charge").exists()
    assert credits.balance_of(row.owner_id) == 1000


def test_a_charge_with_the_secret_that_became_the_old_one_still_works_in_its_grace(
    live: tuple[ApiKey, str],
) -> None:
    row, raw = live
    in_flight = authenticate_key(raw)
    rolling.roll_key(ApiKey.objects.get(pk=row.pk), grace=timedelta(hours=1), actor=OWNER)

    charge(in_flight)

    assert credits.balance_of(row.owner_id) == 980


def test_a_charge_for_a_model_taken_off_the_list_after_authentication_is_refused(
    live: tuple[ApiKey, str],
) -> None:
    row, raw = live
    in_flight = authenticate_key(raw)
    controls.set_allowed_models(ApiKey.objects.get(pk=row.pk), [FAST], actor=OWNER)

    with pytest.raises(ModelNotAllowed):
        charge(in_flight, MOTION)
    charge(in_flight, FAST)

    assert credits.balance_of(row.owner_id) == 1000 - 5
