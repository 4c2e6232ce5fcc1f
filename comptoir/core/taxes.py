"""Document totals and VAT breakdown (EN 16931 BR-CO-10…17, BR-S-08/09). Pure: no Django.

VAT is computed per rate on the sum of the (already rounded) line net amounts and rounded once, so
`total = sum(line nets) + sum(VAT per rate)` holds to the cent by construction.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.core.money import ZERO, amount, vat_on


@dataclass(frozen=True)
class TaxLine:
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    taxes: tuple[TaxLine, ...] = field(default_factory=tuple)


def document_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """`lines` are (net amount, VAT rate in percent) pairs; net amounts are already rounded."""
    bases: dict[Decimal, Decimal] = {}
    for net, rate in lines:
        rate = Decimal(rate).quantize(Decimal("0.01"))
        bases[rate] = bases.get(rate, ZERO) + amount(net)
    taxes = tuple(TaxLine(rate, base, vat_on(base, rate)) for rate, base in sorted(bases.items(), reverse=True))
    untaxed = sum((t.base for t in taxes), ZERO)
    vat = sum((t.amount for t in taxes), ZERO)
    return Totals(untaxed=amount(untaxed), vat=amount(vat), total=amount(untaxed + vat), taxes=taxes)
