from decimal import Decimal

import pytest

from comptoir.core.errors import DomainError
from comptoir.sales.services import cancel_order, confirm_order, create_order
from comptoir.stock import selectors
from comptoir.stock.models import Delivery, StockMove
from comptoir.stock.services import (
    create_delivery,
    create_receipt,
    receive_stock,
    validate_delivery,
    validate_receipt,
)

pytestmark = pytest.mark.django_db


def _confirmed_order(boss, customer, product, qty):
    return confirm_order(create_order(customer, [{"product": product, "quantity": qty}], by=boss), by=boss)


def test_receipts_keep_a_weighted_average_cost(boss, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "60"}], by=boss)
    receive_stock([{"product": product, "quantity": "30", "unit_cost": "80"}], by=boss)
    level = selectors.level_of(product)
    assert level.on_hand == Decimal("40")
    assert level.average_cost == Decimal("75.0000")  # (600 + 2400) / 40


def test_a_planned_receipt_shows_as_incoming_until_validated(boss, product):
    receipt = create_receipt([{"product": product, "quantity": "25", "unit_cost": "70"}], by=boss)
    assert selectors.level_of(product).incoming == Decimal("25")
    validate_receipt(receipt, by=boss)
    level = selectors.level_of(product)
    assert (level.incoming, level.on_hand) == (Decimal("0"), Decimal("25"))


def test_services_cannot_be_received_in_stock(boss, service_product):
    with pytest.raises(DomainError) as exc:
        receive_stock([{"product": service_product, "quantity": "1", "unit_cost": "1"}], by=boss)
    assert exc.value.code == "product_not_stocked"


def test_confirming_beyond_available_stock_shows_a_backorder(boss, customer, product):
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss)
    _confirmed_order(boss, customer, product, "8")
    level = selectors.level_of(product)
    assert (level.reserved, level.available, level.backorder) == (Decimal("8"), Decimal("-3"), Decimal("3"))


def test_cancelling_an_order_releases_its_reservation(boss, customer, product):
    order = _confirmed_order(boss, customer, product, "4")
    cancel_order(order, by=boss)
    assert selectors.level_of(product).reserved == Decimal("0")


def test_validating_a_delivery_moves_stock_out_at_average_cost(boss, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = _confirmed_order(boss, customer, product, "6")
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    line = delivery.lines.get()
    assert line.unit_cost == Decimal("70.0000")
    level = selectors.level_of(product)
    assert (level.on_hand, level.reserved) == (Decimal("4"), Decimal("0"))
    assert StockMove.objects.filter(document=delivery.number).get().quantity == Decimal("-6")
    assert order.lines.get().quantity_delivered == Decimal("6")


def test_partial_deliveries_leave_the_rest_to_deliver(boss, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = _confirmed_order(boss, customer, product, "6")
    line = order.lines.get()
    validate_delivery(create_delivery(order, [{"order_line": line, "quantity": "2"}], by=boss), by=boss)
    second = create_delivery(order, by=boss)
    assert second.lines.get().quantity == Decimal("4")


def test_a_delivery_cannot_exceed_what_remains_to_deliver(boss, customer, product):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = _confirmed_order(boss, customer, product, "3")
    with pytest.raises(DomainError) as exc:
        create_delivery(order, [{"order_line": order.lines.get(), "quantity": "4"}], by=boss)
    assert exc.value.code == "delivery_exceeds_ordered"
    assert "il reste 3 à livrer" in exc.value.message
    assert not Delivery.objects.exists()


def test_two_draft_notes_cannot_promise_the_same_goods(boss, customer, product):
    order = _confirmed_order(boss, customer, product, "3")
    create_delivery(order, by=boss)
    with pytest.raises(DomainError) as exc:
        create_delivery(order, by=boss)
    assert exc.value.code == "nothing_to_deliver"


def test_a_delivery_cannot_exceed_stock_on_hand(boss, customer, product):
    receive_stock([{"product": product, "quantity": "2", "unit_cost": "70"}], by=boss)
    order = _confirmed_order(boss, customer, product, "5")
    delivery = create_delivery(order, by=boss)
    with pytest.raises(DomainError) as exc:
        validate_delivery(delivery, by=boss)
    assert exc.value.code == "insufficient_stock"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DRAFT
    assert selectors.level_of(product).on_hand == Decimal("2")


def test_an_unconfirmed_order_cannot_be_delivered(boss, customer, product):
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)
    with pytest.raises(DomainError) as exc:
        create_delivery(order, by=boss)
    assert exc.value.code == "order_not_confirmed"
