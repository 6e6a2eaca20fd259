"""Every change to a credit balance: one conditional update plus one ledger row, in one
transaction, so the balance never goes negative and always equals the ledger's sum."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Sum

from clipia_console.billing import spending, usage
from clipia_console.billing.charges import Charge
from clipia_console.billing.models import Account, LedgerEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class InsufficientCredits(Exception):
    """The balance, ``balance`` credits when the charge was refused, is too small."""

    def __init__(self, balance: int) -> None:
        super().__init__(balance)
        self.balance = balance


def balance_of(user_id: int) -> int:
    balance = Account.objects.filter(pk=user_id).values_list("balance", flat=True).first()
    return int(balance or 0)


def ledger_sum(user_id: int) -> int:
    total = LedgerEntry.objects.filter(account_id=user_id).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def grant(
    user: AbstractBaseUser,
    amount: int,
    *,
    reason: str,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
) -> int:
    """Add ``amount`` (> 0) credits; returns the new balance."""
    if amount <= 0:
        raise ValueError("a grant must be a positive number of credits")
    with transaction.atomic():
        Account.objects.get_or_create(user_id=user.pk)
        Account.objects.filter(pk=user.pk).update(balance=F("balance") + amount)
        _write(user.pk, LedgerEntry.Kind.GRANT, amount, reason, actor, actor_label)
        return balance_of(user.pk)


def deduct(
    user: AbstractBaseUser,
    amount: int,
    *,
    reason: str,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
) -> int:
    """Take ``amount`` (> 0) credits away (a staff correction); InsufficientCredits if the
    balance would go negative. Returns the new balance."""
    if amount <= 0:
        raise ValueError("a deduction must be a positive number of credits")
    with transaction.atomic():
        if not Account.objects.filter(pk=user.pk, balance__gte=amount).update(
            balance=F("balance") - amount
        ):
            raise InsufficientCredits(balance_of(user.pk))
        _write(user.pk, LedgerEntry.Kind.DEDUCT, -amount, reason, actor, actor_label)
        return balance_of(user.pk)


def charge(generation: Charge) -> None:
    """Charge ``generation.cost`` to its owner. Call inside the transaction that creates
    the generation, so a refused charge leaves nothing behind."""
    if generation.cost <= 0:
        return
    if not Account.objects.filter(pk=generation.owner_id, balance__gte=generation.cost).update(
        balance=F("balance") - generation.cost
    ):
        raise InsufficientCredits(balance_of(generation.owner_id))
    _write(
        generation.owner_id,
        LedgerEntry.Kind.CHARGE,
        -generation.cost,
        f"generation {generation.pk} ({generation.model_id})",
        None,
        "",
        generation=generation,
    )


def refund(generation: Charge) -> bool:
    """Give back what ``generation`` cost, once, to the balance, to the key's budget
    window it was charged in and to the usage totals. True if this call refunded it."""
    if generation.cost <= 0:
        return False
    with transaction.atomic():
        already = LedgerEntry.objects.select_for_update().filter(
            generation_id=generation.pk, kind=LedgerEntry.Kind.REFUND
        )
        if already.exists():
            return False
        # The lock order (billing.spending): the key row, then the account, then usage.
        if generation.api_key_id is not None:
            spending.give_back(
                generation.api_key_id,
                generation.budget_window_start,
                generation.cost,
                charged_at=generation.created_at,
            )
        Account.objects.filter(pk=generation.owner_id).update(
            balance=F("balance") + generation.cost
        )
        if generation.api_key_id is not None:
            usage.record(generation, generations=0, credits=-generation.cost)
        # The unique (generation, kind) constraint backs the check above against races.
        _write(
            generation.owner_id,
            LedgerEntry.Kind.REFUND,
            generation.cost,
            f"refund of failed generation {generation.pk}",
            None,
            "",
            generation=generation,
        )
    return True


def _write(
    user_id: int,
    kind: str,
    amount: int,
    reason: str,
    actor: AbstractBaseUser | None,
    actor_label: str,
    *,
    generation: Charge | None = None,
) -> None:
    LedgerEntry.objects.create(
        account_id=user_id,
        kind=kind,
        amount=amount,
        reason=reason[:200],
        generation_id=generation.pk if generation is not None else None,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
    )
