"""The story's random draws that are not a plain `random.Random` call."""

import math
import random
from decimal import Decimal

from comptoir.core.money import amount as money_amount


def poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def scaled(value: Decimal, rng: random.Random, low: float, high: float) -> Decimal:
    """`value` times a random factor in [low, high], to the cent. The factor is drawn as a float (it is
    randomness, not money) and turned into a 4-place Decimal before it touches the amount."""
    factor = Decimal(f"{rng.uniform(low, high):.4f}")
    return money_amount(value * factor)
