"""The customer rankings of a period, from every customer's real margin. Pure: no Django.

- the most profitable: the largest real margins (€);
- the most resource-consuming: what serving them took (time valued, after-sales tickets' parts and
  travel, goods credited on return cases) per euro of net revenue; customers without revenue are left
  out (no ratio to compute), the page lists their cost elsewhere;
- « looks good, loses money »: a real margin below zero while the net revenue is in the top quartile of
  the customers who bought over the period.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

TOP = 10
ZERO = Decimal("0")


class Figures(Protocol):
    customer_id: int
    name: str

    @property
    def net_revenue(self) -> Decimal: ...

    @property
    def real_margin(self) -> Decimal: ...

    @property
    def resources(self) -> Decimal: ...


@dataclass(frozen=True)
class Rankings:
    most_profitable: tuple
    most_consuming: tuple
    looks_good_loses_money: tuple
    top_quartile_revenue: Decimal | None  # the revenue from which a customer is in the top quartile


def resource_ratio(row: Figures) -> Decimal | None:
    """Euros of resources per euro of net revenue (None without revenue)."""
    return row.resources / row.net_revenue if row.net_revenue > 0 else None


def top_quartile_floor(revenues: Sequence[Decimal]) -> Decimal | None:
    """The smallest revenue among the top quarter of positive revenues (at least one customer)."""
    positive = sorted((r for r in revenues if r > 0), reverse=True)
    if not positive:
        return None
    return positive[math.ceil(len(positive) / 4) - 1]


def rank(rows: Sequence[Figures], *, top: int = TOP) -> Rankings:
    profitable = sorted(rows, key=lambda r: (-r.real_margin, r.name))[:top]
    consuming = sorted(
        (r for r in rows if r.resources > 0 and r.net_revenue > 0),
        key=lambda r: (-resource_ratio(r), r.name),
    )[:top]
    floor = top_quartile_floor([r.net_revenue for r in rows])
    losing = (
        sorted(
            (r for r in rows if r.real_margin < 0 and r.net_revenue >= floor),
            key=lambda r: (-r.net_revenue, r.name),
        )
        if floor is not None
        else []
    )
    return Rankings(tuple(profitable), tuple(consuming), tuple(losing), floor)
