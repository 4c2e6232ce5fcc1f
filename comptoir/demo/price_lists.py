"""The demo's price list: the wholesalers' customer group and its price list of the current year."""

import datetime
from decimal import Decimal

from comptoir.core import money as core_money
from comptoir.demo.tracking import StoryCustomer, StoryProduct
from comptoir.pricing import services as pricing_services


def seed(*, customers: list[StoryCustomer], goods: list[StoryProduct], by, today: datetime.date) -> dict:
    """The wholesalers' price list of the current year, with quantity breaks, for the first good-paying
    French customers (no draw of the story's random generator: the rest of the story stays as it was)."""
    french = [c for c in customers if not c.abroad and c.payer == "good"][:3]
    goods = goods[:6]
    if not french or not goods:
        return {}
    group = pricing_services.create_customer_group("GROS", "Grossistes", by=by)
    for customer in french:
        pricing_services.set_customer_group(customer.obj, group, by=by)
    year = today.year
    lines = []
    for product in goods:
        low, high = product.seed.order_qty
        price = Decimal(product.seed.price)
        lines.append(
            {
                "product": product.obj,
                "min_quantity": 1,
                "price": core_money.unit_price(price * Decimal("0.95")),
            }
        )
        lines.append(
            {
                "product": product.obj,
                "min_quantity": max(2, (low + high) // 2),
                "price": core_money.unit_price(price * Decimal("0.88")),
            }
        )
    pricing_services.create_price_list(
        f"Grossistes {year}",
        group=group,
        valid_from=datetime.date(year, 1, 1),
        valid_until=datetime.date(year, 12, 31),
        lines=lines,
        by=by,
    )
    return {"listes de prix": 1}
