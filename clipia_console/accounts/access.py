"""Who may act on whose keys, credits and generations: the one place that decides.

Today a person acts for themselves alone, so the answer is their own account. Every surface
(console, staff commands acting for a customer, /v1) asks here or through
``ApiKey.objects.visible_to``; none compares owners itself, so organisations (members,
roles) change this module and nothing that calls it.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

Person = AbstractBaseUser | AnonymousUser


def owner_ids(person: Person) -> list[int]:
    """The accounts whose keys ``person`` may see and act on; none when signed out."""
    if not person.is_authenticated or person.pk is None:
        return []
    return [int(person.pk)]


def may_act_for(person: Person, owner_id: int) -> bool:
    """Whether ``person`` may act on what the account ``owner_id`` owns."""
    return owner_id in owner_ids(person)
