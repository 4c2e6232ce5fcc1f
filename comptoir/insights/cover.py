"""Stock that earns versus stock that waits: days of cover, money tied up, dormant products. Pure: no Django.

- stock value = units on hand × average cost (the valuation of the stock);
- days of cover = units on hand / units sold per day over the period (how long the shelf lasts at the pace
  of the period); None when nothing was sold: the stock does not run out at that pace;
- tied up (€·days) = stock value × days of cover: 1,000 € that would last 90 days weigh 90,000 — the
  money that waits, and how long; a product with stock and no sale weighs the most of all (it is listed
  first, with no figure: there is no pace to divide by);
- dormant: stock on hand and no sale for `dormant_days` days (or never sold).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from comptoir.core import money

ZERO = Decimal("0")
TENTH = Decimal("0.1")


def stock_value(on_hand: Decimal, average_cost: Decimal) -> Decimal:
    return money.cost_of(max(on_hand, ZERO), average_cost)


def days_of_cover(on_hand: Decimal, sold: Decimal, period_days: int) -> Decimal | None:
    """Days the stock on hand lasts at the period's pace (`sold` units in `period_days` days), to the
    tenth; 0 without stock; None when nothing was sold over the period."""
    if on_hand <= 0:
        return ZERO
    if sold <= 0 or period_days <= 0:
        return None
    return (on_hand * period_days / sold).quantize(TENTH, rounding=ROUND_HALF_UP)


def tied_up(value: Decimal, cover: Decimal | None) -> Decimal | None:
    """Stock value × days of cover (€·days), to the euro; None when the cover is endless."""
    if cover is None:
        return None
    return (value * cover).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def is_dormant(
    *, on_hand: Decimal, last_sale: datetime.date | None, today: datetime.date, dormant_days: int
) -> bool:
    """Stock on hand and no sale within the last `dormant_days` days (or never)."""
    if on_hand <= 0:
        return False
    return last_sale is None or (today - last_sale).days >= dormant_days
