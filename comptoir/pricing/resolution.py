"""Which price a customer pays for a product, for a quantity, on a day — and why. Pure: no Django.

Priority, first that applies wins:
1. a price agreed with the customer for the product (`prix spécifique client`), valid on the day;
2. a price list of the customer's own, valid on the day, that has the product for that quantity;
3. a price list of the customer's group, likewise;
4. the catalogue price.
Within a list, the highest quantity break not above the quantity applies. When several lists of the same
level apply, the lowest price wins (the customer was promised each of them), ties by list name.
A list line gives a fixed price or a percentage off the catalogue price. The explanation is the French
sentence stored on the document line and shown beside it.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
PRICE_PLACES = Decimal("0.0001")


class Source:
    CUSTOMER_PRICE = "customer_price"
    CUSTOMER_LIST = "customer_list"
    GROUP_LIST = "group_list"
    CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Validity:
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class CustomerPriceFact:
    price: Decimal
    validity: Validity = Validity()


@dataclass(frozen=True)
class Break:
    min_quantity: Decimal
    price: Decimal | None = None
    percent_off: Decimal | None = None


@dataclass(frozen=True)
class ListFact:
    name: str
    breaks: tuple[Break, ...]
    validity: Validity = Validity()


@dataclass(frozen=True)
class PriceFacts:
    """What is known about one product for one customer: gathered by `selectors`, judged here."""

    catalogue_price: Decimal
    customer_prices: tuple[CustomerPriceFact, ...] = ()
    customer_lists: tuple[ListFact, ...] = ()
    group_lists: tuple[ListFact, ...] = ()


@dataclass(frozen=True)
class ResolvedPrice:
    price: Decimal
    source: str
    explanation: str


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _list_price(facts: ListFact, catalogue: Decimal, quantity: Decimal) -> tuple[Decimal, str] | None:
    applicable = [b for b in facts.breaks if b.min_quantity <= quantity]
    if not applicable:
        return None
    chosen = max(applicable, key=lambda b: b.min_quantity)
    words = f"liste {facts.name}"
    if chosen.min_quantity > 1:
        words += f", palier ≥ {_number(chosen.min_quantity)}"
    if chosen.price is not None:
        return chosen.price.quantize(PRICE_PLACES, ROUND_HALF_UP), words
    price = (catalogue * (HUNDRED - chosen.percent_off) / HUNDRED).quantize(PRICE_PLACES, ROUND_HALF_UP)
    return price, f"{words} (−{_number(chosen.percent_off)} % sur le prix catalogue)"


def _best_of_lists(lists, catalogue, quantity, day) -> tuple[Decimal, str] | None:
    found = []
    for facts in lists:
        if not facts.validity.covers(day):
            continue
        priced = _list_price(facts, catalogue, quantity)
        if priced is not None:
            found.append((priced[0], facts.name, priced[1]))
    if not found:
        return None
    price, _name, words = min(found, key=lambda item: (item[0], item[1]))
    return price, words


def resolve_price(facts: PriceFacts, quantity: Decimal, day: datetime.date) -> ResolvedPrice:
    agreed = [p for p in facts.customer_prices if p.validity.covers(day)]
    if agreed:
        # The agreement that started last is the one in force.
        latest = max(agreed, key=lambda p: p.validity.valid_from or datetime.date.min)
        return ResolvedPrice(
            latest.price.quantize(PRICE_PLACES, ROUND_HALF_UP),
            Source.CUSTOMER_PRICE,
            "prix spécifique client",
        )
    for lists, source in (
        (facts.customer_lists, Source.CUSTOMER_LIST),
        (facts.group_lists, Source.GROUP_LIST),
    ):
        best = _best_of_lists(lists, facts.catalogue_price, quantity, day)
        if best is not None:
            return ResolvedPrice(best[0], source, best[1])
    return ResolvedPrice(
        facts.catalogue_price.quantize(PRICE_PLACES, ROUND_HALF_UP), Source.CATALOGUE, "prix catalogue"
    )
