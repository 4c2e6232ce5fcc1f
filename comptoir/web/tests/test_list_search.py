"""The search box of each list: a document is found by its number, its customer's name (any part, any
case) or code, and, for invoices and delivery notes, the number of their order; payments also by their
reference. The customer is looked up once, not joined to every document."""

import pytest

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_customer
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order, create_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_customers(boss, company, customer, product):
    """Menuiserie Martin and Garage Dubois, each with a quote, an order delivered and invoiced, a payment."""
    other = make_customer(boss, name="Garage Dubois SAS", siren="443061841")
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    made = {}
    for who, reference in ((customer, "VIR MARTIN 77"), (other, "CHQ 5521")):
        quote = create_quote(who, [{"product": product, "quantity": "1"}], by=boss)
        order = confirm_order(create_order(who, [{"product": product, "quantity": "2"}], by=boss), by=boss)
        delivery = create_delivery(order, by=boss)
        validate_delivery(delivery, by=boss)
        invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
        payment = register_payment(who, amount="10.00", method="cheque", reference=reference, by=boss)
        made[who.pk] = {
            "customer": who,
            "quotes": quote,
            "orders": order,
            "deliveries": delivery,
            "invoices": invoice,
            "payments": payment,
        }
    return made[customer.pk], made[other.pk]


LISTS = ("quotes", "orders", "deliveries", "invoices", "payments")


def _found(kind: str, q: str) -> set[int]:
    return {doc.pk for doc in getattr(queries, kind)(q)}


@pytest.mark.parametrize("kind", LISTS)
def test_a_list_finds_a_document_by_number_customer_name_or_customer_code(two_customers, kind):
    martin, dubois = two_customers
    mine = {martin[kind].pk}
    assert _found(kind, martin[kind].number) == mine
    assert _found(kind, "menuiserie MARTIN") == mine
    assert _found(kind, martin["customer"].code.lower()) == mine
    assert _found(kind, "dubois") == {dubois[kind].pk}
    assert _found(kind, "Plomberie") == set()


@pytest.mark.parametrize("kind", ["deliveries", "invoices"])
def test_delivery_notes_and_invoices_are_found_by_their_order_number(two_customers, kind):
    martin, _dubois = two_customers
    assert _found(kind, martin["orders"].number) == {martin[kind].pk}


def test_a_payment_is_found_by_its_reference(two_customers):
    martin, dubois = two_customers
    assert _found("payments", "vir martin") == {martin["payments"].pk}
    assert _found("payments", "5521") == {dubois["payments"].pk}


def test_a_customer_code_matches_whole_not_in_part(two_customers):
    martin, _dubois = two_customers
    assert _found("invoices", martin["customer"].code[:-1]) == set()
