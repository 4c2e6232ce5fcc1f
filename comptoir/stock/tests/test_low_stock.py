"""Low-stock alerts are computed for the products that can be low (little on hand, or order lines still to
deliver), and are the same as if every product's level were computed."""

import pytest

from comptoir.core.testing import make_product
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock import selectors
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web import queries

pytestmark = pytest.mark.django_db


def _alerts_from_every_level() -> set[str]:
    return {level.product.sku for level in selectors.stock_levels() if level.is_low or level.available < 0}


def test_only_products_low_on_hand_or_reserved_are_candidates_and_the_alerts_stay_the_same(
    boss, company, customer
):
    plenty = make_product(boss, sku="PLENTY", low_stock_threshold="5")
    reserved = make_product(boss, sku="RESERVED", low_stock_threshold="5")
    delivered = make_product(boss, sku="DELIVERED", low_stock_threshold="5")
    short = make_product(boss, sku="SHORT", low_stock_threshold="5")
    make_product(boss, sku="NEVER-RECEIVED")
    make_product(boss, sku="SERVICE", kind="service")
    receive_stock(
        [
            {"product": product, "quantity": quantity, "unit_cost": "6"}
            for product, quantity in ((plenty, "100"), (reserved, "100"), (delivered, "100"), (short, "3"))
        ],
        by=boss,
    )
    # 98 reserved leave 2 available: low. 98 delivered leave 2 on hand: low too, and no longer reserved.
    confirm_order(create_order(customer, [{"product": reserved, "quantity": "98"}], by=boss), by=boss)
    shipped = confirm_order(
        create_order(customer, [{"product": delivered, "quantity": "98"}], by=boss), by=boss
    )
    validate_delivery(create_delivery(shipped, by=boss), by=boss)
    # Ordered but still in draft: a candidate, yet it reserves nothing.
    create_order(customer, [{"product": plenty, "quantity": "99"}], by=boss)

    candidates = {product.sku for product in selectors.possibly_low_products()}
    assert candidates == {"PLENTY", "RESERVED", "DELIVERED", "SHORT", "NEVER-RECEIVED"}
    alerts = [level.product.sku for level in queries.stock_alerts()]
    assert set(alerts) == _alerts_from_every_level() == {"RESERVED", "DELIVERED", "SHORT", "NEVER-RECEIVED"}
