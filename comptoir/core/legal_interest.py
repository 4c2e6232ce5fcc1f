"""The French legal interest rate (taux de l'intérêt légal, C. mon. fin. L313-2, D313-1-A) for debts
owed to professionals ("tous les autres cas"), set every half-year by arrêté. Pure.

C. com. L441-10 II: late-payment penalties between businesses are at least three times this rate.
Add each new half-year here when its arrêté is published (Journal officiel, late June / late December);
a date after the last known half-year uses the last known rate.
"""

import datetime
from decimal import Decimal

# (first day of the half-year, rate in percent), oldest first.
PROFESSIONAL_RATES = (
    (datetime.date(2023, 1, 1), Decimal("2.06")),
    (datetime.date(2023, 7, 1), Decimal("4.22")),
    (datetime.date(2024, 1, 1), Decimal("5.07")),
    (datetime.date(2024, 7, 1), Decimal("4.92")),
    (datetime.date(2025, 1, 1), Decimal("3.71")),
    (datetime.date(2025, 7, 1), Decimal("2.76")),
)
PENALTY_MULTIPLE = 3


def professional_rate(on: datetime.date) -> Decimal:
    """The legal interest rate for professionals in force on `on` (the first known one before 2023)."""
    rate = PROFESSIONAL_RATES[0][1]
    for start, value in PROFESSIONAL_RATES:
        if start <= on:
            rate = value
    return rate


def minimum_penalty_rate(on: datetime.date) -> Decimal:
    """The lowest late-payment penalty rate a business may agree on `on`: 3 × the legal interest rate."""
    return PENALTY_MULTIPLE * professional_rate(on)
