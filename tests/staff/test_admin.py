"""The staff admin: API keys, credit accounts and generations, through the admin pages.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice and bob are customers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import Permission, User
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.generations.models import Generation
from clipia_console.staff.admin.accounts import AccountAdmin
from clipia_console.staff.admin.key_forms import ApiKeyChangeForm
from clipia_console.staff.admin.keys import ApiKeyAdmin
from tests.support import PASSWORD, MakeKey

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

KEYS = reverse("admin:apikeys_apikey_changelist")
ADD_KEY = reverse("admin:apikeys_apikey_add")
ACCOUNTS = reverse("admin:billing_account_changelist")
ADD_ACCOUNT = reverse("admin:billing_account_add")
GENERATIONS = reverse("admin:generations_generation_changelist")
EVENTS = reverse("admin:apikeys_apikeyevent_changelist")


def key_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_change", args=[api_key.pk])


def credits_page(user: User) -> str:
    return reverse("admin:billing_account_credits", args=[user.pk])


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def signed_in_with(user: User, *codenames: str) -> Client:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def v1_account(api: Client, raw_key: str) -> _MonkeyPatchedWSGIResponse:
    return api.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})


def make_generation(owner: User, **fields: object) -> Generation:
    values: dict[str, object] = {
        "environment": "live",
        "model_id": "clipia/motion-v1",
        "prompt": "a cat surfing",
        "status": Generation.Status.SUCCEEDED,
        **fields,
    }
    return Generation.objects.create(owner=owner, **values)


# API keys: the list, search and filters.


def test_it_lists_keys_with_owner_name_prefix_environment_scopes_and_status(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", scopes=("generate",), name="render farm")

    response = staff_client.get(KEYS)

    assert response.status_code == 200
    row = response.content.decode()
    for shown in ("alice", "render farm", f"{api_key.display_prefix}…", "live", "generate"):
        assert shown in row
    assert "Active" in row
    assert raw_key not in row


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("render", "render farm"),
        ("bob@example.com", "bob's key"),
        ("bob", "bob's key"),
    ],
)
def test_it_finds_keys_by_name_and_owner(
    staff_client: Client, alice: User, bob: User, make_key: MakeKey, term: str, found: str
) -> None:
    make_key(alice, name="render farm")
    make_key(bob, name="bob's key")

    response = staff_client.get(KEYS, {"q": term})

    names = [api_key.name for api_key in response.context["cl"].result_list]
    assert names == [found]


def test_it_finds_a_key_by_its_lookup_id(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, _ = make_key(alice, name="wanted")
    make_key(alice, name="other")

    response = staff_client.get(KEYS, {"q": wanted.lookup_id})

    assert list(response.context["cl"].result_list) == [wanted]


def test_searching_for_a_pasted_key_searches_its_lookup_id_without_echoing_it(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, raw_key = make_key(alice, name="wanted")
    make_key(alice, name="other")

    redirect = staff_client.get(KEYS, {"q": raw_key})
    response = staff_client.get(redirect["Location"])

    assert redirect.status_code == 302
    assert raw_key not in redirect["Location"]
    assert list(response.context["cl"].result_list) == [wanted]
    assert raw_key not in response.content.decode()


def test_it_finds_a_key_by_its_display_prefix(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, _ = make_key(alice, name="wanted")
    make_key(alice, name="other")

    response = staff_client.get(KEYS, {"q": f"{wanted.display_prefix}…"}, follow=True)

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize("status", ["active", "revoked", "expired"])
def test_it_filters_keys_by_status(
    staff_client: Client, alice: User, make_key: MakeKey, status: str
) -> None:
    active, _ = make_key(alice, name="active")
    revoked, _ = make_key(alice, name="revoked")
    services.revoke_key(revoked, actor=services.Actor.command("tests"))
    expired, _ = make_key(alice, name="expired")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = staff_client.get(KEYS, {"status": status})

    assert [api_key.name for api_key in response.context["cl"].result_list] == [status]
    assert status.capitalize() in response.content.decode()


@pytest.mark.parametrize(
    ("scope", "expected"), [("generate", ["both", "gen"]), ("read", ["both", "read"])]
)
def test_it_filters_keys_by_scope(
    staff_client: Client, alice: User, make_key: MakeKey, scope: str, expected: list[str]
) -> None:
    make_key(alice, scopes=("generate",), name="gen")
    make_key(alice, scopes=("read",), name="read")
    make_key(alice, scopes=("generate", "read"), name="both")

    response = staff_client.get(KEYS, {"scope": scope})

    assert sorted(api_key.name for api_key in response.context["cl"].result_list) == expected


def test_it_filters_keys_by_environment(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, "live", name="live one")
    make_key(alice, "test", name="test one")

    response = staff_client.get(KEYS, {"environment__exact": "test"})

    assert [api_key.name for api_key in response.context["cl"].result_list] == ["test one"]


# API keys: revoking.


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


# API keys: creating and editing.


def test_staff_creating_a_key_see_it_once_on_an_uncacheable_page(
    staff_client: Client, alice: User
) -> None:
    response = staff_client.post(
        ADD_KEY,
        {"owner": alice.pk, "name": "for support", "environment": "live", "scopes": ["generate"]},
    )

    api_key = ApiKey.objects.get(owner=alice)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw_key = response.context["raw_key"]
    assert raw_key.startswith(f"{api_key.display_prefix}")
    assert response.content.decode().count(raw_key) == 1
    assert (api_key.name, api_key.environment, api_key.scopes) == (
        "for support",
        "live",
        "generate",
    )
    assert response.cookies.get("messages") is None


def test_the_key_an_admin_creates_authenticates_on_v1(
    staff_client: Client, api: Client, alice: User
) -> None:
    response = staff_client.post(
        ADD_KEY,
        {"owner": alice.pk, "name": "k", "environment": "test", "scopes": ["read"]},
    )

    account = v1_account(api, response.context["raw_key"])

    assert account.status_code == 200


def test_creating_a_key_for_an_unknown_owner_is_refused(staff_client: Client, db: None) -> None:
    response = staff_client.post(
        ADD_KEY, {"owner": "9999", "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert response.status_code == 200
    assert "No such active user" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_creating_a_key_without_a_scope_is_refused(staff_client: Client, alice: User) -> None:
    response = staff_client.post(ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live"})

    assert response.status_code == 200
    assert "Choose at least one scope." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_creating_a_key_past_the_active_key_limit_is_refused(
    staff_client: Client, alice: User, make_key: MakeKey, settings: object
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1  # type: ignore[attr-defined]
    make_key(alice)

    response = staff_client.post(
        ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert "at most 1 active keys" in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 1


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


# Accounts and credits.


def test_granting_credits_writes_the_ledger_and_the_balance_agrees(
    staff_client: Client, staff: User, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded),
        {"operation": "grant", "amount": "250", "reason": "ticket 1234: outage credit"},
        follow=True,
    )

    assert "Granted 250 credits; the balance is now 350." in response.content.decode()
    assert credits.balance_of(funded.pk) == 350 == credits.ledger_sum(funded.pk)
    entry = LedgerEntry.objects.filter(account_id=funded.pk).first()
    assert entry is not None
    assert (entry.kind, entry.amount, entry.reason, entry.actor) == (
        "grant",
        250,
        "ticket 1234: outage credit",
        staff,
    )


def test_the_credits_page_shows_the_current_balance(staff_client: Client, funded: User) -> None:
    response = staff_client.get(credits_page(funded))

    assert response.status_code == 200
    assert "The balance is 100 credits." in response.content.decode()


def test_deducting_credits_writes_a_negative_ledger_entry(
    staff_client: Client, staff: User, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded),
        {"operation": "deduct", "amount": "30", "reason": "duplicate grant"},
        follow=True,
    )

    assert "Deducted 30 credits; the balance is now 70." in response.content.decode()
    assert credits.balance_of(funded.pk) == 70 == credits.ledger_sum(funded.pk)
    entry = LedgerEntry.objects.filter(account_id=funded.pk).first()
    assert entry is not None
    assert (entry.kind, entry.amount, entry.actor) == ("deduct", -30, staff)


def test_deducting_more_than_the_balance_is_refused_with_a_message(
    staff_client: Client, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded), {"operation": "deduct", "amount": "101", "reason": "too much"}
    )

    assert response.status_code == 200
    assert "Cannot deduct 101 credits: the balance is 100. Nothing was deducted." in (
        response.content.decode()
    )
    assert credits.balance_of(funded.pk) == 100 == credits.ledger_sum(funded.pk)
    assert LedgerEntry.objects.filter(account_id=funded.pk).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"operation": "grant", "amount": "10", "reason": ""},
        {"operation": "grant", "amount": "0", "reason": "zero"},
        {"operation": "grant", "amount": "-5", "reason": "negative"},
        {"operation": "grant", "amount": "ten", "reason": "words"},
        {"operation": "grant", "amount": "99999999999", "reason": "a typo"},
        {"operation": "steal", "amount": "10", "reason": "unknown operation"},
    ],
)
def test_a_credit_change_needs_a_reason_and_a_sane_amount(
    staff_client: Client, funded: User, data: dict[str, str]
) -> None:
    response = staff_client.post(credits_page(funded), data)

    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert credits.balance_of(funded.pk) == 100
    assert LedgerEntry.objects.filter(account_id=funded.pk).count() == 1


def test_the_account_page_shows_balance_and_ledger_without_a_save_button(
    staff_client: Client, funded: User
) -> None:
    response = staff_client.get(reverse("admin:billing_account_change", args=[funded.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "test funds" in page
    assert "Grant or deduct credits" in page
    assert 'name="_save"' not in page
    assert 'name="balance"' not in page


def test_posting_the_account_form_cannot_change_the_balance(
    staff_client: Client, funded: User
) -> None:
    staff_client.post(
        reverse("admin:billing_account_change", args=[funded.pk]),
        {"balance": "1000000", "ledger-TOTAL_FORMS": "0", "ledger-INITIAL_FORMS": "0"},
    )

    assert credits.balance_of(funded.pk) == 100 == credits.ledger_sum(funded.pk)


def test_saving_an_account_form_loaded_before_a_grant_keeps_the_grant(
    rf: RequestFactory, funded: User
) -> None:
    stale = Account.objects.get(pk=funded.pk)
    credits.grant(funded, 7, reason="while the page was open")

    AccountAdmin(Account, site).save_model(rf.post("/"), stale, None, True)

    assert credits.balance_of(funded.pk) == 107 == credits.ledger_sum(funded.pk)


def test_granting_first_credits_creates_the_customers_account(
    staff_client: Client, staff: User, bob: User
) -> None:
    response = staff_client.post(
        ADD_ACCOUNT, {"user": "bob@example.com", "amount": "40", "reason": "trial"}, follow=True
    )

    assert "Granted 40 credits; the balance is now 40." in response.content.decode()
    assert Account.objects.get(pk=bob.pk).balance == 40 == credits.ledger_sum(bob.pk)
    entry = LedgerEntry.objects.get(account_id=bob.pk)
    assert (entry.actor, entry.reason) == (staff, "trial")


def test_accounts_cannot_be_deleted_in_the_admin(staff_client: Client, funded: User) -> None:
    response = staff_client.post(
        reverse("admin:billing_account_delete", args=[funded.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Account.objects.filter(pk=funded.pk).exists()


def test_the_account_list_is_searchable_by_email(
    staff_client: Client, funded: User, bob: User
) -> None:
    credits.grant(bob, 5, reason="x")

    response = staff_client.get(ACCOUNTS, {"q": "bob@example.com"})

    assert [account.pk for account in response.context["cl"].result_list] == [bob.pk]


# Generations.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "failed"}, "failed"),
        ({"environment__exact": "test"}, "sandbox"),
        ({"model__id__exact": "clipia/cinema-v2"}, "cinema"),
    ],
)
def test_it_filters_generations(
    staff_client: Client, alice: User, query: dict[str, str], expected: str
) -> None:
    make_generation(alice, prompt="plain")
    make_generation(alice, prompt="failed", status=Generation.Status.FAILED)
    make_generation(alice, prompt="sandbox", environment="test")
    make_generation(alice, prompt="cinema", model_id="clipia/cinema-v2")

    response = staff_client.get(GENERATIONS, query)

    assert [generation.prompt for generation in response.context["cl"].result_list] == [expected]


def test_it_finds_a_generation_by_id(staff_client: Client, alice: User) -> None:
    wanted = make_generation(alice)
    make_generation(alice)

    response = staff_client.get(GENERATIONS, {"q": str(wanted.pk)})

    assert list(response.context["cl"].result_list) == [wanted]


def test_it_finds_generations_by_owner(staff_client: Client, alice: User, bob: User) -> None:
    make_generation(alice)
    bobs = make_generation(bob)

    response = staff_client.get(GENERATIONS, {"q": "bob"})

    assert list(response.context["cl"].result_list) == [bobs]


def test_generations_are_read_only(staff_client: Client, alice: User) -> None:
    generation = make_generation(alice, cost=20)
    change = reverse("admin:generations_generation_change", args=[generation.pk])

    page = staff_client.get(change)
    posted = staff_client.post(change, {"cost": "0", "status": "failed"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert staff_client.get(reverse("admin:generations_generation_add")).status_code == 403
    generation.refresh_from_db()
    assert (generation.cost, generation.status) == (20, "succeeded")


# Who may see what.

STAFF_PAGES = [KEYS, ADD_KEY, ACCOUNTS, ADD_ACCOUNT, GENERATIONS, EVENTS]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_a_customer_is_sent_to_the_admin_login(alice: User, page: str) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_without_permissions_are_forbidden(carol: User, page: str) -> None:
    response = signed_in_with(carol).get(page)

    assert response.status_code == 403


def test_staff_without_permissions_see_no_models_on_the_index(carol: User) -> None:
    response = signed_in_with(carol).get(reverse("admin:index"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You don’t have permission to view or edit anything." in page
    assert KEYS not in page


def test_staff_without_permissions_cannot_see_a_key_or_an_account(
    carol: User, funded: User, test_key: tuple[ApiKey, str]
) -> None:
    client = signed_in_with(carol)

    assert client.get(key_page(test_key[0])).status_code == 403
    assert client.get(reverse("admin:billing_account_change", args=[funded.pk])).status_code == 403
    assert client.get(credits_page(funded)).status_code == 403


def test_staff_who_may_only_view_keys_cannot_revoke_them(
    carol: User, test_key: tuple[ApiKey, str]
) -> None:
    client = signed_in_with(carol, "view_apikey")

    listing = client.get(KEYS)
    client.post(
        KEYS, {"action": "revoke_selected", "_selected_action": [test_key[0].pk], "post": "yes"}
    )
    page = client.get(key_page(test_key[0]))

    assert listing.status_code == 200
    assert "Revoke selected keys" not in listing.content.decode()
    assert "Revoke this key" not in page.content.decode()
    assert (
        client.post(reverse("admin:apikeys_apikey_revoke", args=[test_key[0].pk])).status_code
        == 403
    )
    assert ApiKey.objects.get(pk=test_key[0].pk).revoked_at is None


def test_staff_who_may_only_view_keys_cannot_create_them(carol: User, alice: User) -> None:
    response = signed_in_with(carol, "view_apikey").post(
        ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_staff_who_may_only_view_accounts_cannot_change_credits(carol: User, funded: User) -> None:
    client = signed_in_with(carol, "view_account")

    page = client.get(reverse("admin:billing_account_change", args=[funded.pk]))
    posted = client.post(
        credits_page(funded), {"operation": "grant", "amount": "5", "reason": "me"}
    )

    assert page.status_code == 200
    assert "Grant or deduct credits" not in page.content.decode()
    assert posted.status_code == 403
    assert credits.balance_of(funded.pk) == 100


def test_staff_with_change_permission_on_accounts_can_grant(carol: User, funded: User) -> None:
    client = signed_in_with(carol, "view_account", "change_account")

    response = client.post(
        credits_page(funded), {"operation": "grant", "amount": "5", "reason": "goodwill"}
    )

    assert response.status_code == 302
    assert credits.balance_of(funded.pk) == 105 == credits.ledger_sum(funded.pk)


def test_staff_cannot_delete_an_account_only_deactivate_it(
    client: Client, staff: User, alice: User, test_key: tuple[ApiKey, str]
) -> None:
    client.force_login(staff)

    page = client.get(f"/admin/auth/user/{alice.pk}/delete/")
    changelist = client.get("/admin/auth/user/")

    assert page.status_code == 403
    assert "delete_selected" not in changelist.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert ApiKeyEvent.objects.filter(api_key=test_key[0]).exists()


def test_a_long_ledger_shows_its_latest_entries_and_links_to_the_whole_ledger(
    staff_client: Client, alice: User, bob: User
) -> None:
    for n in range(60):
        credits.grant(alice, 1, reason=f"grant number {n}")
    credits.grant(bob, 5, reason="bob's only grant")

    page = staff_client.get(
        reverse("admin:billing_account_change", args=[alice.pk])
    ).content.decode()
    ledger = staff_client.get(
        reverse("admin:billing_ledgerentry_changelist"), {"account__user__exact": alice.pk}
    ).content.decode()

    assert "grant number 59" in page and "grant number 10" in page
    assert "grant number 9<" not in page  # the 50 latest: 10 to 59
    assert "The latest 50 of 60 ledger entries." in page
    assert f"?account__user__exact={alice.pk}" in page
    assert "60 ledger entries" in ledger
    assert "bob&#x27;s only grant" not in ledger
    assert "Add ledger entry" not in ledger


def test_a_short_ledger_is_shown_whole_without_a_link(staff_client: Client, funded: User) -> None:
    page = staff_client.get(
        reverse("admin:billing_account_change", args=[funded.pk])
    ).content.decode()

    assert "test funds" in page
    assert "See the whole ledger" not in page


def test_an_account_page_for_an_impossible_id_is_no_error(staff_client: Client, db: None) -> None:
    response = staff_client.get("/admin/billing/account/not-a-number/change/", follow=True)

    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()
