"""The arithmetic of deposits and billing-schedule steps. Pure: no Django.

- `split_pro_rata`: a step's amount excl. VAT spread over the order's VAT groups.
- `allocate_deductions`: which part of which deposit an invoice deducts, VAT group by VAT group.
- `pending_after_deposits`: the VAT of an invoice still due on receipt once deposits are deducted.
- `deposit_vat_waiting`: of a deducted deposit's VAT, the goods and services shares still waiting.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.core.money import ZERO, amount

VatKey = tuple[Decimal, str]  # (rate, category): one EN 16931 VAT breakdown (BG-23)


def split_pro_rata(
    total: Decimal, weights: Iterable[tuple[Hashable, Decimal]]
) -> list[tuple[Hashable, Decimal]]:
    """Spread `total` over keys in proportion to their weights, each share rounded to the cent; the last
    key takes the remainder, so the shares add up to `total` exactly. Keys without weight get nothing."""
    weighted = [(key, weight) for key, weight in weights if weight > 0]
    weight_sum = sum((weight for _, weight in weighted), ZERO)
    shares = []
    given = ZERO
    for index, (key, weight) in enumerate(weighted):
        share = total - given if index == len(weighted) - 1 else amount(total * weight / weight_sum)
        shares.append((key, share))
        given += share
    return shares


@dataclass(frozen=True)
class DepositLeft:
    """What is left to deduct of one deposit invoice in one VAT group."""

    deposit_id: int
    key: VatKey
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Deduction:
    deposit_id: int
    key: VatKey
    base: Decimal
    vat: Decimal

    @property
    def amount(self) -> Decimal:
        return self.base + self.vat


def allocate_deductions(
    budgets: dict[VatKey, tuple[Decimal, Decimal]], left: Iterable[DepositLeft]
) -> list[Deduction]:
    """Deduct deposits, in the order given (oldest first), from an invoice whose VAT groups bill
    `budgets[key] = (base, vat)`.

    In each group an invoice deducts at most what it bills there, so its balance stays positive and
    its VAT never goes below zero, and at most what is left of each deposit. A deposit part takes its
    VAT pro rata; the part that finishes a deposit's group takes exactly the VAT left.
    """
    base_left = {key: base for key, (base, _) in budgets.items()}
    vat_left = {key: vat for key, (_, vat) in budgets.items()}
    deductions = []
    for item in left:
        if item.key not in base_left:
            continue
        base = min(item.base, base_left[item.key])
        if base == item.base:
            vat = item.vat
        else:
            vat = amount(item.vat * base / item.base) if item.base > 0 else ZERO
        vat = min(vat, vat_left[item.key])
        if base <= 0 and vat <= 0:
            continue
        base_left[item.key] -= base
        vat_left[item.key] -= vat
        deductions.append(Deduction(item.deposit_id, item.key, base, vat))
    return deductions


def pending_after_deposits(tax_amount: Decimal, pending: Decimal, deducted_vat: Decimal) -> Decimal:
    """An invoice's VAT due on receipt (services, without the option for debits) once deposits are
    deducted from it.

    The deposits' VAT follows the deposits: it fell due when they were cashed, or falls due when they
    are. Only the share of the remainder that belongs to services waits for this invoice's own
    payments; its goods share is due now, on delivery.
    """
    if tax_amount <= 0 or pending <= 0:
        return ZERO
    remainder = max(tax_amount - deducted_vat, ZERO)
    return min(pending, amount(pending * remainder / tax_amount))


def deposit_vat_waiting(
    vat: Decimal, goods_share: Decimal, services_share: Decimal, left: Decimal, waiting: Decimal
) -> tuple[Decimal, Decimal]:
    """(goods, services): the parts of a deducted deposit's `vat` still waiting for the deposit's cash
    (44574), given the shares of the deposit's base that are goods and services taxed on receipts, and
    what of the deposit's VAT on receipts is `left` of what its payments are to release (`waiting`):
    the part not cashed yet. Never more than is left."""
    if vat <= 0 or left <= 0 or waiting <= 0:
        return ZERO, ZERO
    uncashed = min(left, waiting) / waiting
    goods = min(left, amount(vat * goods_share * uncashed))
    services = min(left - goods, amount(vat * services_share * uncashed))
    return goods, services
