"""The create form takes create_key's refusals as they come: one about the moment it
computed (expires_at) lands on the field that moment came from."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.core.exceptions import ValidationError

from apikeys import services
from clipia_console.keyforms.create import CreateKeyForm
from clipia_console.lib import clock


def valid_form(**fields: str) -> CreateKeyForm:
    data = {"name": "ci", "environment": "test", "scopes": ["generate"], **fields}
    form = CreateKeyForm(data)
    assert form.is_valid(), form.errors
    return form


def test_an_expiry_refusal_on_a_chosen_date_lands_on_the_date() -> None:
    in_ten_days = clock.now().astimezone(UTC).date() + timedelta(days=10)
    form = valid_form(expires="date", expires_on=in_ten_days.isoformat())

    form.add_error(None, ValidationError({"expires_at": services.EXPIRY_TOO_FAR}))

    assert form.errors == {"expires_on": [services.EXPIRY_TOO_FAR]}


def test_an_expiry_refusal_on_a_chosen_period_lands_on_the_choice() -> None:
    form = valid_form(expires="30")

    form.add_error(None, ValidationError({"expires_at": services.EXPIRY_IN_PAST}))

    assert form.errors == {"expires": [services.EXPIRY_IN_PAST]}


def test_other_refusals_land_on_their_own_fields() -> None:
    form = valid_form()

    form.add_error(None, ValidationError({"name": services.NAME_TOO_LONG}))
    form.add_error(None, "Above the form.")

    assert form.errors == {"name": [services.NAME_TOO_LONG], "__all__": ["Above the form."]}
