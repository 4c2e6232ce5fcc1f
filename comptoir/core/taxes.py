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
    category: str = "S"


@dataclass(frozen=True)
class Totals:
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    taxes: tuple[TaxLine, ...] = field(default_factory=tuple)


def document_totals(lines: Iterable[tuple]) -> Totals:
    """`lines` are (net amount, VAT rate in percent[, VAT category]) tuples; nets are already rounded.

    One breakdown per distinct (category, rate), as EN 16931 BG-23 requires.
    """
    bases: dict[tuple[Decimal, str], Decimal] = {}
    for net, rate, *category in lines:
        key = (Decimal(rate).quantize(Decimal("0.01")), category[0] if category else "S")
        bases[key] = bases.get(key, ZERO) + amount(net)
    taxes = tuple(
        TaxLine(rate, base, vat_on(base, rate), category)
        for (rate, category), base in sorted(bases.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)
    )
    untaxed = sum((t.base for t in taxes), ZERO)
    vat = sum((t.amount for t in taxes), ZERO)
    return Totals(untaxed=amount(untaxed), vat=amount(vat), total=amount(untaxed + vat), taxes=taxes)
