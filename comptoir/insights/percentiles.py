"""Percentiles of lead times, by linear interpolation between the two nearest ranks (PostgreSQL's
`percentile_cont`, Excel's PERCENTILE.INC). Pure: no Django.

The database numbers the values of each group in order (a window function, on SQLite as on PostgreSQL) and
hands back only the rows at the ranks a percentile needs: `ranks` says which, `interpolate` computes the
value from them. So a median over 100,000 orders reads two rows, never the 100,000 values.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

MEDIAN = Decimal("0.5")
P90 = Decimal("0.9")
TENTH = Decimal("0.1")


def ranks(p: Decimal, count: int) -> tuple[int, int]:
    """The 1-based ranks, among `count` values sorted up, between which the p-th percentile lies."""
    position = p * (count - 1)
    return math.floor(position) + 1, math.ceil(position) + 1


def interpolate(p: Decimal, count: int, values_at: dict[int, int | Decimal]) -> Decimal:
    """The p-th percentile of `count` values given the values at the ranks `ranks(p, count)` names (a
    dict rank → value), to the tenth."""
    low, high = ranks(p, count)
    position = p * (count - 1)
    fraction = position - math.floor(position)
    below, above = Decimal(values_at[low]), Decimal(values_at[high])
    return (below + (above - below) * fraction).quantize(TENTH, rounding=ROUND_HALF_UP)


def of_values(values, p: Decimal) -> Decimal | None:
    """The p-th percentile of a list of numbers (None when empty): the same rule, on values at hand."""
    ordered = sorted(values)
    if not ordered:
        return None
    low, high = ranks(p, len(ordered))
    return interpolate(p, len(ordered), {low: ordered[low - 1], high: ordered[high - 1]})
