"""The pipeline's figures, pure (no Django): totals per stage (count, amount, amount weighted by probability)
and, over closed deals, the conversion rate (won ÷ closed) and the sales-cycle length (days from creation to
won, median) per owner or per source. `crm.selectors` reads the rows; this module only counts."""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from comptoir.core import money

ZERO = Decimal("0")


@dataclass(frozen=True)
class Deal:
    stage: str
    amount: Decimal
    probability: int


@dataclass(frozen=True)
class StageTotal:
    stage: str
    count: int
    amount: Decimal
    weighted: Decimal


def weighted(amount: Decimal, probability: int) -> Decimal:
    """What a deal is worth at its probability, to the cent."""
    return money.amount(money.D(amount) * probability / 100)


def by_stage(deals: Iterable[Deal], stages: Iterable[str]) -> list[StageTotal]:
    """One total per stage, in the order of `stages` (a stage without deals shows zeros)."""
    counts: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    weights: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for deal in deals:
        counts[deal.stage] += 1
        amounts[deal.stage] += deal.amount
        weights[deal.stage] += weighted(deal.amount, deal.probability)
    return [StageTotal(stage, counts[stage], amounts[stage], weights[stage]) for stage in stages]


@dataclass(frozen=True)
class Closed:
    """A deal won or lost: who or what it is grouped by (`key`), and its dates."""

    key: Hashable
    won: bool
    created_on: datetime.date
    closed_on: datetime.date


@dataclass(frozen=True)
class Performance:
    key: Hashable
    won: int
    lost: int
    # Won ÷ closed, in percent to the tenth; None without a closed deal.
    conversion_rate: Decimal | None
    # Days from creation to won, the median of the won deals; None without one.
    median_cycle_days: Decimal | None

    @property
    def closed(self) -> int:
        return self.won + self.lost


def conversion_rate(won: int, closed: int) -> Decimal | None:
    return money.percent(Decimal(won) * 100 / closed) if closed else None


def median_days(cycles: list[int]) -> Decimal | None:
    """The median of the cycles in days (half a day when the count is even), None for none."""
    if not cycles:
        return None
    return Decimal(statistics.median_low(cycles) + statistics.median_high(cycles)) / 2


def performance(closed: Iterable[Closed]) -> list[Performance]:
    """Conversion and cycle per key, keys in the order they first appear."""
    won: dict = defaultdict(int)
    lost: dict = defaultdict(int)
    cycles: dict = defaultdict(list)
    keys: dict = {}
    for deal in closed:
        keys.setdefault(deal.key, None)
        if deal.won:
            won[deal.key] += 1
            cycles[deal.key].append(max((deal.closed_on - deal.created_on).days, 0))
        else:
            lost[deal.key] += 1
    return [
        Performance(
            key,
            won[key],
            lost[key],
            conversion_rate(won[key], won[key] + lost[key]),
            median_days(sorted(cycles[key])),
        )
        for key in keys
    ]
