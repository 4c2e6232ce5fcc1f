"""Goods move on the days they move: never in the future, a delivery never before its order, goods
coming back never before they left."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.models import Delivery
from comptoir.stock.services import (
    create_delivery,
    create_receipt,
    receive_returned_goods,
    receive_stock,
    validate_delivery,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


@pytest.fixture
def order(boss, customer, product):
    today = dates.today()
    receive_stock([{"product": product, "quantity": "10"}], by=boss, date=today - 5 * DAY)
    return confirm_order(
        create_order(customer, [{"product": product, "quantity": "4"}], by=boss, date=today - 3 * DAY),
        by=boss,
    )


def test_a_delivery_note_is_not_dated_in_the_future(boss, order):
    _refused("date_in_future", create_delivery, order, by=boss, date=datetime.date(2099, 1, 1))
    draft = create_delivery(order, by=boss)
    _refused("date_in_future", validate_delivery, draft, by=boss, date=dates.today() + DAY)
    assert not Delivery.objects.filter(number__startswith="BL-2099").exists()


def test_goods_do_not_leave_before_they_were_ordered(boss, order):
    today = dates.today()
    message = _refused("date_before_document", create_delivery, order, by=boss, date=today - 4 * DAY)
    assert order.number in message
    draft = create_delivery(order, by=boss, date=today - 3 * DAY)
    _refused("date_before_document", validate_delivery, draft, by=boss, date=today - 4 * DAY)
    assert validate_delivery(draft, by=boss).date == today - 3 * DAY


def test_a_receipt_is_not_dated_in_the_future_nor_beyond_the_window(boss, product):
    today = dates.today()
    _refused(
        "date_in_future", create_receipt, [{"product": product, "quantity": "1"}], by=boss, date=today + DAY
    )
    _refused(
        "date_beyond_backdating_window",
        receive_stock,
        [{"product": product, "quantity": "1"}],
        by=boss,
        date=today - 40 * DAY,
    )


def test_goods_come_back_after_they_left(boss, order):
    today = dates.today()
    delivery = validate_delivery(create_delivery(order, by=boss, date=today - 2 * DAY), by=boss)
    line = delivery.lines.get()
    message = _refused(
        "date_before_document",
        receive_returned_goods,
        [{"delivery_line": line, "quantity": "1"}],
        by=boss,
        reference="RR-TEST",
        date=today - 3 * DAY,
    )
    assert delivery.number in message
    [move] = receive_returned_goods(
        [{"delivery_line": line, "quantity": "1"}], by=boss, reference="RR-TEST", date=today - 2 * DAY
    )
    assert move.date == today - 2 * DAY
