"""Quote ↔ order (#17): what the order changed from the accepted quote (a product swapped on the order is
tested with the order editor, web/tests/test_order_editor.py), and an order keyed by hand that answers a
quote still open."""

import datetime

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, order_findings, the
from comptoir.core import dates
from comptoir.core.testing import make_product
from comptoir.sales.services import (
    accept_quote,
    cancel_quote,
    confirm_order,
    create_order,
    create_quote,
    replace_order_lines,
    send_quote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_product(boss):
    return make_product(boss, sku="REF-89", name="Perceuse sans fil", sale_price="150.00")


def sent_quote(boss, customer, *lines, date=None, valid_until=None):
    quote = create_quote(
        customer,
        [{"product": product, "quantity": quantity} for product, quantity in lines],
        by=boss,
        date=date,
        valid_until=valid_until,
    )
    return send_quote(quote, by=boss)


# --- the order changed what the quote said ---------------------------------------------------------


def test_a_discount_other_than_the_accepted_quotes_is_a_warning_with_both_values(
    boss, company, customer, product
):
    quote = create_quote(customer, [{"product": product, "quantity": "10", "discount_percent": "8"}], by=boss)
    send_quote(quote, by=boss)
    order = accept_quote(quote, by=boss)
    replace_order_lines(
        order,
        [{"product": product, "quantity": "10", "discount_percent": "5", "quote_line": quote.lines.get().pk}],
        by=boss,
    )
    confirm_order(order, by=boss)

    finding = the(order_findings(order), "order_discount_differs_from_quote")

    assert finding.severity == Severity.WARNING
    assert [item.values["discount_percent"] for item in finding.evidence] == [8, 5]


# --- an order keyed by hand answering an open quote -------------------------------------------------


def test_an_order_keyed_without_its_quote_is_said_to_answer_the_open_quote(
    boss, company, customer, product, other_product
):
    quote = sent_quote(boss, customer, (product, "10"), (other_product, "2"))
    # The customer's purchase order came by mail; the ADV keyed it as a new order.
    order = create_order(
        customer,
        [{"product": other_product, "quantity": "2"}, {"product": product, "quantity": "10"}],
        by=boss,
    )

    finding = the(order_findings(order), "order_may_answer_open_quote")

    assert finding.severity == Severity.INFO
    assert finding.message == (
        f"La commande {order.number}, saisie sans devis, porte les mêmes articles (REF-88, REF-89) que le "
        f"devis {quote.number} envoyé au client Menuiserie Martin SARL et encore valable le "
        f"{order.date.strftime('%d/%m/%Y')} : elle y répond peut-être. Vérifiez que les prix et remises du "
        "devis sont repris, puis clôturez le devis pour qu'il ne puisse pas être accepté une seconde fois."
    )
    assert [(item.kind, item.document) for item in finding.evidence] == [
        ("order", order.number),
        ("quote", quote.number),
    ]
    assert finding.evidence[1].values["valid_until"] == quote.valid_until.isoformat()


def test_an_order_of_other_products_than_the_open_quote_is_not_tied_to_it(
    boss, company, customer, product, other_product
):
    sent_quote(boss, customer, (product, "10"), (other_product, "2"))
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss)

    assert "order_may_answer_open_quote" not in codes(order_findings(order))


def test_an_expired_cancelled_or_accepted_quote_is_not_an_open_one(boss, company, customer, product):
    long_ago = dates.today() - datetime.timedelta(days=20)
    sent_quote(
        boss, customer, (product, "1"), date=long_ago, valid_until=long_ago + datetime.timedelta(days=5)
    )
    cancel_quote(sent_quote(boss, customer, (product, "1")), by=boss)
    accept_quote(sent_quote(boss, customer, (product, "1")), by=boss)
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)

    assert "order_may_answer_open_quote" not in codes(order_findings(order))


def test_an_order_made_from_its_quote_is_not_compared_with_the_other_open_quotes(
    boss, company, customer, product
):
    sent_quote(boss, customer, (product, "10"))
    order = accept_quote(sent_quote(boss, customer, (product, "10")), by=boss)

    assert "order_may_answer_open_quote" not in codes(order_findings(order))


def test_another_customers_open_quote_is_not_this_customers(boss, company, customer, product):
    from comptoir.core.testing import make_customer

    sent_quote(boss, make_customer(boss, name="Ébénisterie Roux"), (product, "10"))
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss)

    assert "order_may_answer_open_quote" not in codes(order_findings(order))
