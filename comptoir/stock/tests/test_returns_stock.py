from decimal import Decimal

import pytest
from django.db.models import Sum

from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock import selectors
from comptoir.stock.models import Delivery, StockMove
from comptoir.stock.services import (
    create_delivery,
    receive_returned_goods,
    receive_stock,
    ship_replacement,
    validate_delivery,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(boss, customer, product):
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "10"}], by=boss), by=boss)
    return validate_delivery(create_delivery(order, by=boss), by=boss)


def _on_hand_is_the_sum_of_moves(product):
    total = StockMove.objects.filter(product=product).aggregate(s=Sum("quantity"))["s"]
    return selectors.level_of(product).on_hand == total


def test_returned_goods_come_back_at_the_delivery_cost_and_reweigh_the_average(boss, product, delivered):
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "91"}], by=boss)  # 10 × 70 + 10 × 91
    moves = receive_returned_goods(
        [{"delivery_line": delivered.lines.get(), "quantity": "2"}], by=boss, reference="RR-2026-00001"
    )
    assert [(m.kind, m.quantity, m.unit_cost) for m in moves] == [
        ("return", Decimal("2.000"), Decimal("70.0000"))
    ]
    level = selectors.level_of(product)
    assert level.on_hand == Decimal("22")
    assert level.average_cost == Decimal("79.5455")  # (20 × 80.5 + 2 × 70) / 22
    assert _on_hand_is_the_sum_of_moves(product)


def test_more_than_was_delivered_cannot_come_back(boss, delivered):
    with pytest.raises(DomainError) as exc:
        receive_returned_goods(
            [{"delivery_line": delivered.lines.get(), "quantity": "11"}], by=boss, reference="RR-1"
        )
    assert exc.value.code == "return_exceeds_delivered"
    assert "seuls 10 sont partis" in exc.value.message


def test_returned_goods_need_the_stock_receiving_permission(delivered):
    seller = make_user("seller", Role.COMMERCIAL)
    with pytest.raises(PermissionDenied):
        receive_returned_goods(
            [{"delivery_line": delivered.lines.get(), "quantity": "1"}], by=seller, reference="RR-1"
        )


def test_a_replacement_ships_goods_without_counting_them_as_ordered_deliveries(boss, product, delivered):
    order_line = delivered.order.lines.get()
    replacement = ship_replacement(
        delivered.order, [{"order_line": order_line, "quantity": "3"}], by=boss, reference="RET-2026-00001"
    )
    assert (replacement.kind, replacement.status, replacement.invoicing_blocked) == (
        Delivery.Kind.REPLACEMENT,
        Delivery.Status.VALIDATED,
        True,
    )
    assert "RET-2026-00001" in replacement.blocked_reason
    line = replacement.lines.get()
    assert (line.quantity, line.unit_cost) == (Decimal("3.000"), Decimal("70.0000"))
    order_line.refresh_from_db()
    assert order_line.quantity_delivered == Decimal("10")  # unchanged: ordered 10, delivered 10
    assert selectors.level_of(product).on_hand == Decimal("7")
    assert _on_hand_is_the_sum_of_moves(product)


def test_a_replacement_cannot_ship_more_than_is_in_stock(boss, delivered):
    with pytest.raises(DomainError) as exc:
        ship_replacement(
            delivered.order,
            [{"order_line": delivered.order.lines.get(), "quantity": "11"}],
            by=boss,
            reference="RET-1",
        )
    assert exc.value.code == "insufficient_stock"
    assert Delivery.objects.count() == 1


def test_a_replacement_is_shipped_by_those_who_validate_deliveries(delivered):
    seller = make_user("seller", Role.ADV)
    with pytest.raises(PermissionDenied):
        ship_replacement(
            delivered.order,
            [{"order_line": delivered.order.lines.get(), "quantity": "1"}],
            by=seller,
            reference="RET-1",
        )


def test_a_replacement_refuses_lines_of_other_orders_and_bad_quantities(boss, customer, product, delivered):
    other = confirm_order(create_order(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    with pytest.raises(DomainError) as exc:
        ship_replacement(
            delivered.order, [{"order_line": other.lines.get(), "quantity": "1"}], by=boss, reference="R"
        )
    assert exc.value.code == "line_not_in_order"
    with pytest.raises(DomainError) as exc:
        ship_replacement(
            delivered.order,
            [{"order_line": delivered.order.lines.get(), "quantity": "0"}],
            by=boss,
            reference="R",
        )
    assert exc.value.code == "quantity_not_positive"
