"""What the demo story keeps of what it created, to decide what happens to it next: its customers (how
they pay, how much they buy), products (cost, stocked or not), confirmed orders still to ship and the
shipments return cases start from."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from comptoir.demo import names


@dataclass(eq=False)
class StoryCustomer:
    obj: object
    payer: str
    weight: float
    addresses: list = field(default_factory=list)
    abroad: bool = False


@dataclass(eq=False)
class StoryProduct:
    obj: object
    seed: names.ProductSeed
    cost: Decimal

    @property
    def stocked(self) -> bool:
        return self.seed.kind == "goods"


@dataclass(eq=False)
class StoryOrderLine:
    pk: int
    product: StoryProduct
    remaining: Decimal


@dataclass(eq=False)
class StoryOrder:
    obj: object
    customer: StoryCustomer
    lines: list[StoryOrderLine]
    split: bool
    shipments: int = 0
    # Billed by its schedule (milestones), not by delivered quantities: the steps, in order.
    steps: list = field(default_factory=list)
    # Shipped but not invoiced: the invoice is kept back (the blocked-invoice story).
    hold_invoice: bool = False


@dataclass(eq=False)
class Shipment:
    """A delivery of goods, what it carried, and the invoice that billed it (return cases start here)."""

    delivery: object
    order: StoryOrder
    day: datetime.date
    goods: list[tuple[StoryProduct, Decimal]]
    invoice: object = None
    issued: bool = False
    disputed: bool = False
