"""The real margin of a customer, as a waterfall. Pure: no Django.

From what was invoiced to what the customer really left the company (docs/architecture.md, « Real
profitability »), every step an amount in euros HT:

  invoiced revenue (gross: lines before their discount, plus charges invoiced)
  − discounts (line discounts, document allowances, early-payment discounts granted; by category)
  − returns and credit notes (what credit notes took back)
  = net revenue
  − cost of goods (cost at shipment, less the goods put back in stock)
  − logistics (carrier cost entered on each delivery note, else the zone/weight rate)
  − after-sales (tickets' parts and travel, time spent on tickets or in after-sales)
  − internal time (pre-sales, project management, admin)
  − cost of payment delay (balance overdue × days late × the yearly financing rate ÷ 365)
  − exceptional adjustments
  = real margin, and its rate on net revenue.

Beside it, the margin the sales view shows (insights.margins: line revenue − cost of goods).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.core import money
from comptoir.insights.margins import Margin, rate

ZERO = Decimal("0")
DAYS_IN_A_YEAR = Decimal("365")
ONE_DAY = datetime.timedelta(days=1)
UNCATEGORISED = ""


@dataclass(frozen=True)
class Detail:
    """One part of a step: `key` names it for the API, `label` is shown as is (a category, a number)."""

    key: str
    amount: Decimal
    label: str = ""
    count: int | None = None


@dataclass(frozen=True)
class Facts:
    """What was read from the documents for one customer and period (amounts positive, HT)."""

    gross_revenue: Decimal = ZERO
    discounts: tuple[Detail, ...] = ()
    credit_notes: tuple[Detail, ...] = ()
    cost_of_goods: Decimal = ZERO
    logistics: tuple[Detail, ...] = ()
    aftersales: tuple[Detail, ...] = ()
    internal_time: tuple[Detail, ...] = ()
    payment_delay: Decimal = ZERO
    adjustments: tuple[Detail, ...] = ()
    sales_view: Margin = field(default_factory=Margin)


@dataclass(frozen=True)
class Step:
    """A bar of the waterfall: `amount` signed (what the step adds), `start` and `end` the running total
    before and after it; a total (`is_total`) starts from zero."""

    key: str
    amount: Decimal
    start: Decimal
    end: Decimal
    is_total: bool = False
    details: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class Waterfall:
    steps: tuple[Step, ...]
    net_revenue: Decimal
    real_margin: Decimal
    sales_view: Margin

    @property
    def real_rate(self) -> Decimal | None:
        return rate(self.real_margin, self.net_revenue)

    @property
    def gap(self) -> Decimal:
        """How much the sales view overstates (positive) the customer's margin."""
        return self.sales_view.margin - self.real_margin

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)


def _sum(details: Iterable[Detail]) -> Decimal:
    return sum((detail.amount for detail in details), ZERO)


def build(facts: Facts) -> Waterfall:
    """The steps of the waterfall, in order, each cost taken off the running total."""
    steps: list[Step] = []
    running = ZERO

    def total(key: str) -> None:
        steps.append(Step(key, running, ZERO, running, is_total=True))

    def take(key: str, amount: Decimal, details: Sequence[Detail] = ()) -> None:
        nonlocal running
        steps.append(Step(key, -amount, running, running - amount, details=tuple(details)))
        running -= amount

    running = facts.gross_revenue
    total("gross_revenue")
    take("discounts", _sum(facts.discounts), facts.discounts)
    take("credit_notes", _sum(facts.credit_notes), facts.credit_notes)
    net_revenue = running
    total("net_revenue")
    take("cost_of_goods", facts.cost_of_goods)
    take("logistics", _sum(facts.logistics), facts.logistics)
    take("aftersales", _sum(facts.aftersales), facts.aftersales)
    take("internal_time", _sum(facts.internal_time), facts.internal_time)
    take("payment_delay", facts.payment_delay)
    take("adjustments", _sum(facts.adjustments), facts.adjustments)
    total("real_margin")
    return Waterfall(tuple(steps), net_revenue, running, facts.sales_view)


# --- logistics: the rate of a delivery without a carrier cost ----------------------------------------------


@dataclass(frozen=True)
class ShippingRate:
    country: str
    postal_prefix: str
    max_weight_kg: Decimal | None
    cost: Decimal


def shipping_cost(rates: Iterable[ShippingRate], *, country: str, postal_code: str, weight: Decimal | None):
    """The rate of the zone with the longest postal prefix the address starts with (in its country), then
    the lightest bracket that holds the weight (an unknown weight takes the lightest); the heaviest bracket
    when the weight exceeds them all. None when no rate covers the address."""
    postal_code = (postal_code or "").replace(" ", "")
    zone = [r for r in rates if r.country == country and postal_code.startswith(r.postal_prefix)]
    if not zone:
        return None
    longest = max(len(r.postal_prefix) for r in zone)
    zone = [r for r in zone if len(r.postal_prefix) == longest]
    weight = weight or ZERO
    holding = [r for r in zone if r.max_weight_kg is None or r.max_weight_kg >= weight]
    if holding:
        return min(holding, key=lambda r: (r.max_weight_kg is None, r.max_weight_kg or ZERO)).cost
    return max(zone, key=lambda r: r.max_weight_kg or ZERO).cost


# --- payment delay -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receivable:
    """An invoice's amount owed (TTC, deposits deducted), its due date and what settled it, when."""

    due_date: datetime.date
    amount: Decimal
    settlements: tuple[tuple[datetime.date, Decimal], ...] = ()


def overdue_euro_days(
    receivable: Receivable, *, date_from: datetime.date | None, date_to: datetime.date
) -> Decimal:
    """Σ balance overdue × days, over the days of the period after the due date: a settlement lowers the
    balance from its own day (the day it is paid is not late)."""
    first_late = receivable.due_date + ONE_DAY
    window_start = max(first_late, date_from) if date_from else first_late
    window_end = date_to + ONE_DAY  # exclusive

    def days(start: datetime.date, end: datetime.date) -> int:
        return max((min(end, window_end) - max(start, window_start)).days, 0)

    balance = receivable.amount
    cursor = first_late
    euro_days = ZERO
    for day, paid in sorted(receivable.settlements):
        if balance > 0:
            euro_days += balance * days(cursor, day)
        cursor = max(cursor, day)
        balance -= paid
    if balance > 0:
        euro_days += balance * days(cursor, window_end)
    return euro_days


def delay_cost(
    receivables: Iterable[Receivable],
    *,
    date_from: datetime.date | None,
    date_to: datetime.date,
    annual_rate: Decimal,
) -> Decimal:
    """What money owed late cost over the period: Σ balance × days late × the yearly rate (%) ÷ 365, rounded
    once, to the cent."""
    euro_days = sum((overdue_euro_days(r, date_from=date_from, date_to=date_to) for r in receivables), ZERO)
    return money.amount(euro_days * annual_rate / 100 / DAYS_IN_A_YEAR)
