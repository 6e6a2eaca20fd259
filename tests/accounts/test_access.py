"""Who may act on whose keys (clipia_console.accounts.access): today a person acts for their
own account alone, staff included (staff reach other accounts through the admin, not this
seam), and nobody signed out acts for anyone."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from apikeys.models import ApiKey
from clipia_console.accounts.access import may_act_for, owner_ids
from tests.support import MakeKey


def test_a_customer_acts_for_their_own_account_only(alice: User, bob: User) -> None:
    assert owner_ids(alice) == [alice.pk]
    assert may_act_for(alice, alice.pk)
    assert not may_act_for(alice, bob.pk)


def test_staff_act_for_their_own_account_only_through_this_seam(staff: User, alice: User) -> None:
    assert owner_ids(staff) == [staff.pk]
    assert may_act_for(staff, staff.pk)
    assert not may_act_for(staff, alice.pk)


def test_nobody_signed_out_acts_for_anyone(alice: User) -> None:
    assert owner_ids(AnonymousUser()) == []
    assert not may_act_for(AnonymousUser(), alice.pk)


def test_an_unsaved_person_acts_for_nobody() -> None:
    assert owner_ids(User(username="ghost")) == []


def test_a_customer_sees_their_own_keys_only(alice: User, bob: User, make_key: MakeKey) -> None:
    alices, _ = make_key(alice, name="alice's")
    make_key(bob, name="bob's")

    assert list(ApiKey.objects.visible_to(alice)) == [alices]


def test_staff_see_only_their_own_keys_through_the_seam(
    staff: User, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, name="alice's")
    staffs, _ = make_key(staff, name="staff's")

    assert list(ApiKey.objects.visible_to(staff)) == [staffs]


def test_nobody_signed_out_sees_any_key(alice: User, make_key: MakeKey) -> None:
    make_key(alice)

    assert not ApiKey.objects.visible_to(AnonymousUser()).exists()
