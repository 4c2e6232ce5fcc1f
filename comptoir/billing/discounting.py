"""Early-payment discount (escompte pour paiement anticipé) of an invoice. Pure: no Django.

The discount is a rate of the price: for each VAT breakdown of the invoice, the rate of its base
excl. VAT, with the VAT on it. What the customer pays within the deadline is the amount payable less
that discount (VAT included); the VAT the seller collects, and the customer deducts, is reduced by the
discount's VAT (CGI art. 267-II-2°: escomptes are out of the taxable base when granted).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.core.money import ZERO, fr, percent_of, vat_on


@dataclass(frozen=True)
class DiscountPart:
    rate: Decimal
    category: str
    base: Decimal  # the discount excl. VAT on this breakdown (posted on 665)
    vat: Decimal  # its VAT (taken off 44571)


@dataclass(frozen=True)
class EarlyDiscount:
    percent: Decimal
    parts: tuple[DiscountPart, ...]

    @property
    def untaxed(self) -> Decimal:
        return sum((p.base for p in self.parts), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((p.vat for p in self.parts), ZERO)

    @property
    def total(self) -> Decimal:
        return self.untaxed + self.vat


def early_discount(taxes: Iterable[tuple[Decimal, str, Decimal]], percent: Decimal) -> EarlyDiscount:
    """`taxes`: the invoice's VAT breakdown as (rate, category, base) tuples; only category S bears VAT."""
    parts = []
    for rate, category, base in taxes:
        discount = percent_of(base, percent)
        if discount:
            parts.append(
                DiscountPart(rate, category, discount, vat_on(discount, rate) if category == "S" else ZERO)
            )
    return EarlyDiscount(percent, tuple(parts))


def percent_text(percent: Decimal) -> str:
    text = format(Decimal(percent).normalize(), "f")
    return f"{text.replace('.', ',')}\u00a0%"


def terms_text(discount: EarlyDiscount, *, until: datetime.date, payable: Decimal) -> str:
    """The conditions printed on the invoice (BT-20 and the AAB note, C. com. L441-9)."""
    return (
        f"Escompte de {percent_text(discount.percent)} pour paiement au plus tard le "
        f"{until.strftime('%d/%m/%Y')} : {fr(discount.total)} € déduits (dont TVA {fr(discount.vat)} €), "
        f"soit {fr(payable - discount.total)} € à payer ; la TVA déductible est réduite d'autant."
    )


def applies(
    *,
    until: datetime.date | None,
    paid_on: datetime.date,
    amount: Decimal,
    due: Decimal,
    discount: EarlyDiscount,
) -> bool:
    """Whether a payment earns the discount: paid by the deadline, for exactly the discounted amount."""
    return until is not None and discount.total > 0 and paid_on <= until and amount == due - discount.total
