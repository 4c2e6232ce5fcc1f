"""Spreading a quantity or an amount over lines. Pure: no Django.

A returned delivery line may have been billed on several invoices (partial invoicing); crediting it
takes the oldest invoice lines first. A global amount credited on a case is spread over its lines in
proportion to their value, to the cent, so the parts always add up to the whole.
"""

from collections.abc import Hashable, Sequence
from decimal import ROUND_DOWN, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def allocate(
    quantity: Decimal, buckets: Sequence[tuple[Hashable, Decimal]]
) -> tuple[list[tuple[Hashable, Decimal]], Decimal]:
    """Take `quantity` from the buckets in order; returns the (key, taken) pairs and what could not be placed."""
    taken = []
    left = quantity
    for key, available in buckets:
        if left <= 0:
            break
        part = min(left, available)
        if part > 0:
            taken.append((key, part))
            left -= part
    return taken, left


def spread_amount(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` (to the cent) in proportion to `weights`; the largest remainders get the spare cents."""
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights are positive")
    weight_sum = sum(weights, ZERO)
    if not weights or weight_sum == 0:
        raise ValueError("nothing to spread over")
    exact = [total * w / weight_sum for w in weights]
    parts = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    spare = int((total - sum(parts, ZERO)) / CENT)
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - parts[i], -i), reverse=True)
    for i in by_remainder[:spare]:
        parts[i] += CENT
    return parts
