"""The margin rules: what a sold line earned, and how lines add up. Pure: no Django.

Per issued invoice line (docs/architecture.md, « Margins »):
- revenue is its net amount, negative on a credit note; deposit invoices and the lines booked on 4191 are
  not revenue of goods (an advance the final invoice turns into revenue) and never reach these rules;
- the units its cost counts are: on an invoice, every unit; on a credit note that takes units back, only the
  units that came back to stock (goods scrapped, lost or kept stay a cost: the loss shows) — all of them for
  a service not performed; on a price reduction (rabais, 709), none: the customer keeps the goods;
- cost = those units × the unit cost (the average cost stamped on the delivery line when the goods left,
  or the product's cost for a service), negative on a credit note: it reverses the cost of the sale;
- margin = revenue − cost; rate = margin / revenue in percent, None when revenue is 0.
Totals add revenue and cost, then take the margin and the rate of the sums (never an average of rates).
"""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.core import money

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def rate(margin: Decimal, revenue: Decimal) -> Decimal | None:
    """The margin rate in percent of revenue, to the tenth; None when there is no revenue to divide by.
    A credit note's own rate is that of the sale it cancels (both signs flip)."""
    if not revenue:
        return None
    return money.percent(margin * HUNDRED / revenue)


def cost_quantity(
    *,
    credit_note: bool,
    quantity: Decimal,
    price_reduction: bool,
    goods: bool,
    restocked: Decimal,
    credited_before: Decimal = ZERO,
) -> Decimal:
    """The units whose cost a line counts (before its sign): see the module's rules. `restocked` are the
    units of its delivery line put back in stock under the case its credit note cites; `credited_before`
    the units earlier credit note lines citing the same case already took back (they reversed the cost of
    the restocked units first)."""
    if not credit_note:
        return quantity
    if price_reduction:
        return ZERO
    if not goods:
        return quantity
    return max(min(quantity, restocked - credited_before), ZERO)


@dataclass(frozen=True)
class Margin:
    """Revenue and cost of goods of a line or of a group of lines, in euros (signed)."""

    revenue: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def rate(self) -> Decimal | None:
        return rate(self.margin, self.revenue)

    @property
    def is_loss(self) -> bool:
        return self.margin < 0

    def __add__(self, other: "Margin") -> "Margin":
        return Margin(self.revenue + other.revenue, self.cost + other.cost)


def of_line(
    *,
    credit_note: bool,
    net_amount: Decimal,
    quantity: Decimal,
    unit_cost: Decimal | None,
    price_reduction: bool = False,
    goods: bool = True,
    restocked: Decimal = ZERO,
    credited_before: Decimal = ZERO,
) -> Margin:
    """The margin of one issued invoice or credit note line (amounts as printed, always positive)."""
    sign = -1 if credit_note else 1
    units = cost_quantity(
        credit_note=credit_note,
        quantity=quantity,
        price_reduction=price_reduction,
        goods=goods,
        restocked=restocked,
        credited_before=credited_before,
    )
    cost = money.cost_of(units, unit_cost or ZERO)
    return Margin(sign * net_amount, sign * cost)


def total(margins) -> Margin:
    """The sum of margins (revenue and cost added, margin and rate of the sums)."""
    result = Margin()
    for item in margins:
        result = result + item
    return result
