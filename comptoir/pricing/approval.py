"""Whose discount needs someone else's approval. Pure: no Django.

A person grants alone a line discount up to the highest threshold among their roles (None: unlimited;
a role without a threshold: 0 %). Above it, someone else whose own threshold covers the discount approves.
"""

from decimal import Decimal


def threshold_of(roles, thresholds: dict[str, Decimal | None]) -> Decimal | None:
    """The threshold of a person holding `roles`: None (unlimited) if any role is unlimited."""
    best = Decimal("0")
    for role in roles:
        if role not in thresholds:
            continue
        value = thresholds[role]
        if value is None:
            return None
        best = max(best, value)
    return best


def covers(threshold: Decimal | None, percent: Decimal) -> bool:
    return threshold is None or percent <= threshold
