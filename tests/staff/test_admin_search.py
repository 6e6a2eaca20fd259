"""Admin searches and the leaked-key finder: a pasted key never reaches a URL or a page.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice is a customer.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.staff.admin.search import without_pasted_keys
from tests.admin_support import KEYS, key_page, make_generation, signed_in_with
from tests.support import PASSWORD, MakeKey

FIND_LEAKED = reverse("admin:apikeys_apikey_find_leaked")
CHANGELISTS = [
    KEYS,
    reverse("admin:apikeys_apikeyevent_changelist"),
    reverse("admin:billing_account_changelist"),
    reverse("admin:generations_generation_changelist"),
    reverse("admin:billing_ledgerentry_changelist"),
    reverse("admin:auth_user_changelist"),
]


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("clipia_live_", ""),
        ("clipia_test_", ""),
        ("alice clipia_live_", "alice"),
        ("clipia_live_clipia_live_", ""),
        ("clipia_live_AbCdEfGhIjKl…", "AbCdEfGhIjKl"),
        ("x clipia_test_AbCdEfGhIjKlSECRET y", "x AbCdEfGhIjKl y"),
        ("plain words", "plain words"),
    ],
)
def test_a_search_is_reduced_to_lookup_ids_once_and_for_all(query: str, searched: str) -> None:
    assert without_pasted_keys(query) == searched
    assert without_pasted_keys(searched) == searched


def test_searching_for_a_bare_environment_prefix_redirects_once(
    staff_client: Client, db: None
) -> None:
    redirect = staff_client.get(KEYS, {"q": "clipia_live_"})
    page = staff_client.get(redirect["Location"])

    assert redirect.status_code == 302
    assert page.status_code == 200


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_every_changelist_searches_a_pasted_keys_lookup_id_and_never_shows_the_key(
    staff_client: Client, alice: User, make_key: MakeKey, changelist: str
) -> None:
    api_key, raw_key = make_key(alice, "live", name="leaked")
    credits.grant(alice, 10, reason="funds")
    make_generation(alice, api_key=api_key)

    redirect = staff_client.get(changelist, {"q": raw_key})
    page = staff_client.get(redirect["Location"])

    assert redirect.status_code == 302
    assert raw_key not in redirect["Location"]
    assert api_key.lookup_id in redirect["Location"]
    assert page.status_code == 200
    assert raw_key not in page.content.decode()


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_every_changelist_loads_the_script_that_rewrites_a_pasted_key(
    staff_client: Client, changelist: str
) -> None:
    page = staff_client.get(changelist).content.decode()

    assert "clipia_admin/search.js" in page
    assert "<script>" not in page


def test_generations_are_found_and_filtered_by_key(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", name="leaked")
    other, _ = make_key(alice, "live", name="other")
    wanted = make_generation(alice, api_key=api_key)
    make_generation(alice, api_key=other)
    generations = reverse("admin:generations_generation_changelist")

    by_lookup_id = staff_client.get(generations, {"q": api_key.lookup_id})
    by_pasted_key = staff_client.get(generations, {"q": raw_key}, follow=True)
    by_filter = staff_client.get(generations, {"key": api_key.lookup_id})

    for response in (by_lookup_id, by_pasted_key, by_filter):
        assert list(response.context["cl"].result_list) == [wanted]
    assert f"{api_key.display_prefix}…" in by_filter.content.decode()


# The leaked-key finder.


def test_pasting_a_leaked_key_leads_to_its_page_without_putting_it_in_a_url(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", name="leaked")

    response = staff_client.post(FIND_LEAKED, {"key": f"  {raw_key}\n"})

    assert response.status_code == 302
    assert response["Location"] == key_page(api_key)
    assert raw_key not in response["Location"]


def test_the_key_list_links_to_the_leaked_key_finder_whose_form_posts(
    staff_client: Client, db: None
) -> None:
    listing = staff_client.get(KEYS).content.decode()
    form = staff_client.get(FIND_LEAKED)

    assert FIND_LEAKED in listing
    assert 'method="post"' in form.content.decode()
    assert 'type="password"' in form.content.decode()
    assert "no-store" in form["Cache-Control"]


# The second changes the last character: to "y" when it was "x" (one key in 62), or the
# "changed" key would be the key itself.
@pytest.mark.parametrize(
    "mangle",
    [lambda k: k[:-1], lambda k: k[:-1] + ("y" if k[-1] == "x" else "x"), lambda k: k[20:]],
)
def test_a_key_that_is_not_whole_is_refused_without_echoing_it(
    staff_client: Client, alice: User, make_key: MakeKey, mangle: object
) -> None:
    _, raw_key = make_key(alice)
    pasted = mangle(raw_key)  # type: ignore[operator]

    response = staff_client.post(FIND_LEAKED, {"key": pasted})

    page = response.content.decode()
    assert response.status_code == 200
    assert "not a complete Clipia key" in page
    assert pasted not in page


def test_a_well_formed_key_never_issued_here_is_said_so(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice)
    ApiKey.objects.filter(pk=api_key.pk).update(lookup_id="A" * 12)

    response = staff_client.post(FIND_LEAKED, {"key": raw_key})

    page = response.content.decode()
    assert f"No key has the lookup id {api_key.lookup_id}" in page
    assert raw_key not in page


def test_finding_a_leaked_key_needs_the_view_permission(
    carol: User, alice: User, make_key: MakeKey
) -> None:
    _, raw_key = make_key(alice)

    assert signed_in_with(carol).post(FIND_LEAKED, {"key": raw_key}).status_code == 403
    assert (
        signed_in_with(carol, "view_apikey").post(FIND_LEAKED, {"key": raw_key}).status_code == 302
    )


def test_the_leaked_key_finder_refuses_a_post_without_its_csrf_token(
    staff: User, alice: User, make_key: MakeKey
) -> None:
    _, raw_key = make_key(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(FIND_LEAKED, {"key": raw_key})

    assert response.status_code == 403
    assert raw_key not in response.content.decode()
