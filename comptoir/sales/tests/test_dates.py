"""Quotes and orders are dated on the days they happen: never in the future, an order never before the
quote it accepts."""

import datetime

import pytest

from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import accept_quote, create_order, create_quote, send_quote

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


def test_quotes_and_orders_are_not_dated_in_the_future(boss, customer, product):
    lines = [{"product": product, "quantity": "1"}]
    _refused("date_in_future", create_quote, customer, lines, by=boss, date=datetime.date(2099, 1, 1))
    _refused("date_in_future", create_order, customer, lines, by=boss, date=dates.today() + DAY)
    assert not Quote.objects.exists() and not Order.objects.exists()


def test_an_order_is_not_dated_before_the_quote_it_accepts(boss, customer, product):
    today = dates.today()
    quote = send_quote(
        create_quote(customer, [{"product": product, "quantity": "1"}], by=boss, date=today - 2 * DAY),
        by=boss,
    )
    message = _refused("date_before_document", accept_quote, quote, by=boss, date=today - 3 * DAY)
    assert quote.number in message
    assert accept_quote(quote, by=boss, date=today - 2 * DAY).date == today - 2 * DAY


def test_a_quote_is_not_backdated_beyond_the_window(boss, customer, product):
    _refused(
        "date_beyond_backdating_window",
        create_quote,
        customer,
        [{"product": product, "quantity": "1"}],
        by=boss,
        date=dates.today() - 32 * DAY,
    )
