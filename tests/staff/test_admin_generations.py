"""Generations in the admin: filtering, finding by id and by owner, and read-only pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from clipia_console.generations.models import Generation
from tests.admin_support import GENERATIONS, make_generation


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
