"""Changing a key in the admin: the revoke action, revoking twice, no deleting, editing only
the name, and a stale form never undoing a revocation."""

from __future__ import annotations

from django.contrib.admin import site
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.staff.admin.key_forms import ApiKeyChangeForm
from clipia_console.staff.admin.keys import ApiKeyAdmin
from tests.admin_support import KEYS, key_page
from tests.staff.helpers import v1_account
from tests.support import MakeKey


def test_the_revoke_action_revokes_the_keys_and_v1_then_refuses_them(
    staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    first, first_raw = make_key(alice, "live", name="first")
    second, second_raw = make_key(alice, "test", name="second")
    kept, kept_raw = make_key(alice, "live", name="kept")
    assert v1_account(api, first_raw).status_code == 200

    response = staff_client.post(
        KEYS,
        {"action": "revoke_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        follow=True,
    )

    page = response.content.decode()
    assert "Revoked 2 keys: " in page
    assert f"“first” ({first.display_prefix}…, alice)" in page
    assert f"“second” ({second.display_prefix}…, alice)" in page
    assert set(ApiKey.objects.filter(revoked_at__isnull=False)) == {first, second}
    for raw_key in (first_raw, second_raw):
        refused = v1_account(api, raw_key)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_api_key"
    assert v1_account(api, kept_raw).status_code == 200


def test_revoking_an_already_revoked_key_changes_nothing(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    services.revoke_key(api_key, actor=services.Actor.command("tests"))
    revoked_at = ApiKey.objects.get(pk=api_key.pk).revoked_at

    response = staff_client.post(
        KEYS,
        {"action": "revoke_selected", "_selected_action": [api_key.pk], "post": "yes"},
        follow=True,
    )

    assert "Revoked 0 keys. 1 already revoked: “test key”" in response.content.decode()
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == revoked_at
    assert api_key.events.filter(kind=ApiKeyEvent.Kind.REVOKED).count() == 1


def test_keys_cannot_be_deleted_in_the_admin(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    response = staff_client.post(
        reverse("admin:apikeys_apikey_delete", args=[api_key.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ApiKey.objects.filter(pk=api_key.pk).exists()


def test_editing_a_key_changes_only_its_name(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "test", scopes=("read",), name="old")

    response = staff_client.post(
        key_page(api_key),
        {
            "name": "new",
            "environment": "live",
            "scopes": "generate read",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.environment, api_key.scopes) == ("new", "test", "read")


def test_saving_a_key_form_loaded_before_a_revocation_keeps_the_revocation(
    rf: RequestFactory, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    stale = ApiKey.objects.get(pk=api_key.pk)
    services.revoke_key(api_key, actor=services.Actor.command("tests"))
    form = ApiKeyChangeForm({"name": "renamed", "note": ""}, instance=stale)
    assert form.is_valid()
    request = rf.post("/")
    request.user = staff

    ApiKeyAdmin(ApiKey, site).save_model(request, form.save(commit=False), form, True)

    fresh = ApiKey.objects.get(pk=api_key.pk)
    assert fresh.name == "renamed"
    assert fresh.revoked_at is not None
