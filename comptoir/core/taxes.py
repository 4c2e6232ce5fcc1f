"""Document totals and VAT breakdown (EN 16931 BR-CO-10…17, BR-S-08/09). Pure: no Django.

VAT is computed per (rate, category) on the sum of the (already rounded) line net amounts, less the
document-level allowances (BG-20) and plus the charges (BG-21) of that rate and category, and rounded
once, so `total = lines − allowances + charges + Σ VAT per rate` holds to the cent by construction.
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
    lines_base: Decimal = ZERO  # Σ line nets of this rate and category, before allowances and charges


@dataclass(frozen=True)
class Totals:
    untaxed: Decimal  # BT-109: lines − allowances + charges
    vat: Decimal  # BT-110
    total: Decimal  # BT-112
    taxes: tuple[TaxLine, ...] = field(default_factory=tuple)
    lines: Decimal = ZERO  # BT-106
    allowances: Decimal = ZERO  # BT-107
    charges: Decimal = ZERO  # BT-108


@dataclass(frozen=True)
class Adjustment:
    """A document-level allowance (BG-20) or charge (BG-21): an amount for one VAT rate and category."""

    amount: Decimal
    rate: Decimal
    category: str = "S"
    is_charge: bool = False


def _key(rate, category: str) -> tuple[Decimal, str]:
    return (Decimal(rate).quantize(Decimal("0.01")), category)


def document_totals(lines: Iterable[tuple], adjustments: Iterable[Adjustment] = ()) -> Totals:
    """`lines` are (net amount, VAT rate in percent[, VAT category]) tuples; nets are already rounded.
    `adjustments`: the document's allowances and charges, amounts already rounded and positive.

    One breakdown per distinct (category, rate), as EN 16931 BG-23 requires; an allowance or charge of
    a rate no line has makes its own breakdown.
    """
    line_bases: dict[tuple[Decimal, str], Decimal] = {}
    for net, rate, *category in lines:
        key = _key(rate, category[0] if category else "S")
        line_bases[key] = line_bases.get(key, ZERO) + amount(net)
    bases = dict(line_bases)
    allowances = charges = ZERO
    for item in adjustments:
        key = _key(item.rate, item.category)
        value = amount(item.amount)
        if item.is_charge:
            charges += value
        else:
            allowances += value
        bases[key] = bases.get(key, ZERO) + (value if item.is_charge else -value)
    taxes = tuple(
        TaxLine(rate, base, vat_on(base, rate), category, line_bases.get((rate, category), ZERO))
        for (rate, category), base in sorted(bases.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)
    )
    untaxed = sum((t.base for t in taxes), ZERO)
    vat = sum((t.amount for t in taxes), ZERO)
    return Totals(
        untaxed=amount(untaxed),
        vat=amount(vat),
        total=amount(untaxed + vat),
        taxes=taxes,
        lines=amount(sum(line_bases.values(), ZERO)),
        allowances=amount(allowances),
        charges=amount(charges),
    )
