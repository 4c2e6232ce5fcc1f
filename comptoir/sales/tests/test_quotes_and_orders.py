import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.sales.models import Order, Quote
from comptoir.sales.services import (
    accept_quote,
    cancel_order,
    confirm_order,
    create_order,
    create_quote,
    refuse_quote,
    replace_quote_lines,
    send_quote,
)

pytestmark = pytest.mark.django_db


def test_quote_line_price_defaults_from_the_product_and_discount_applies(boss, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "3", "discount_percent": "5"}], by=boss)
    line = quote.lines.get()
    assert line.unit_price == Decimal("120.0000")
    assert line.net_amount == Decimal("342.00")  # 3 × 120 × 0.95
    assert (quote.total_untaxed, quote.total_vat, quote.total) == (
        Decimal("342.00"),
        Decimal("68.40"),
        Decimal("410.40"),
    )
    assert quote.number.startswith("DEV-")


def test_accepting_a_sent_quote_creates_an_order_linked_line_by_line(
    boss, customer, product, service_product
):
    quote = create_quote(
        customer,
        [
            {"product": product, "quantity": "2", "unit_price": "99.5"},
            {"product": service_product, "quantity": "1"},
        ],
        by=boss,
    )
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss, customer_reference="PO-7781")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert order.quote == quote and order.customer_reference == "PO-7781"
    assert [ol.quote_line for ol in order.lines.all()] == list(quote.lines.all())
    assert order.total == quote.total


def test_a_draft_quote_cannot_be_accepted_before_it_is_sent(boss, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    with pytest.raises(Conflict) as exc:
        accept_quote(quote, by=boss)
    assert exc.value.code == "invalid_transition"
    assert "Brouillon" in exc.value.message
    assert not Order.objects.exists()


def test_an_expired_quote_cannot_be_accepted(boss, customer, product):
    today = timezone.localdate()
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "1"}],
        by=boss,
        date=today - datetime.timedelta(days=20),
        valid_until=today - datetime.timedelta(days=1),
    )
    send_quote(quote, by=boss)
    with pytest.raises(DomainError) as exc:
        accept_quote(quote, by=boss, date=today)
    assert exc.value.code == "quote_expired"


def test_only_draft_quotes_can_be_edited(boss, customer, product):
    quote = create_quote(customer, [{"product": product, "quantity": "1"}], by=boss)
    replace_quote_lines(quote, [{"product": product, "quantity": "4"}], by=boss)
    quote.refresh_from_db()
    assert quote.total_untaxed == Decimal("480.00")
    send_quote(quote, by=boss)
    with pytest.raises(DomainError) as exc:
        replace_quote_lines(quote, [{"product": product, "quantity": "9"}], by=boss)
    assert exc.value.code == "document_not_editable"


def test_a_refused_quote_stays_refused(boss, customer, product):
    quote = send_quote(create_quote(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    refuse_quote(quote, by=boss, reason="Trop cher")
    with pytest.raises(Conflict):
        accept_quote(quote, by=boss)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ({"quantity": "0"}, "quantity_not_positive"),
        ({"quantity": "-2"}, "quantity_not_positive"),
        ({"quantity": "abc"}, "invalid_number"),
        ({"quantity": "1", "unit_price": "-5"}, "price_negative"),
        ({"quantity": "1", "discount_percent": "120"}, "discount_out_of_range"),
        # Beyond what a document may carry: refused with a message, never a database overflow.
        ({"quantity": "100000001"}, "quantity_too_large"),
        ({"quantity": "1000", "unit_price": "1000000.01"}, "amount_too_large"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(boss, customer, product, line, code):
    with pytest.raises(DomainError) as exc:
        create_order(customer, [{"product": product, **line}], by=boss)
    assert exc.value.code == code
    assert not Order.objects.exists()


def test_a_document_too_large_for_the_books_is_refused_whole(boss, customer, product):
    # Each line is within its own limit; together they exceed what a document may total.
    lines = [{"product": product, "quantity": "1", "unit_price": "1000000000"} for _ in range(11)]
    with pytest.raises(DomainError) as exc:
        create_order(customer, lines, by=boss)
    assert exc.value.code == "document_too_large"
    assert "10\u202f000\u202f000\u202f000" in exc.value.message
    assert not Order.objects.exists()


def test_an_unknown_product_is_refused(boss, customer):
    with pytest.raises(NotFound) as exc:
        create_order(customer, [{"product": 999999, "quantity": "1"}], by=boss)
    assert exc.value.code == "unknown_product"


def test_an_order_needs_lines(boss, customer):
    with pytest.raises(DomainError) as exc:
        create_order(customer, [], by=boss)
    assert exc.value.code == "no_lines"


def test_a_salesperson_may_create_but_not_confirm_orders(customer, product):
    seller = make_user("sophie", Role.COMMERCIAL)
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=seller)
    with pytest.raises(PermissionDenied):
        confirm_order(order, by=seller)
    order.refresh_from_db()
    assert order.status == Order.Status.DRAFT


def test_a_confirmed_order_can_be_cancelled_until_something_ships(boss, customer, product):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": "1"}], by=boss), by=boss)
    assert cancel_order(order, by=boss, reason="Client injoignable").status == Order.Status.CANCELLED
    with pytest.raises(Conflict):
        confirm_order(order, by=boss)
