"""Far pages of a list read the ids of their rows first, then those rows: they show exactly what reading
the list through would show there, in the same order, with the same figures and without N+1 queries."""

import pytest
from django.test import Client

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.web.views import common

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty_orders_invoiced(boss, company, customer, service_product):
    for i in range(30):
        quantity = str(1 + i % 4)
        order = confirm_order(
            create_order(customer, [{"product": service_product, "quantity": quantity}], by=boss), by=boss
        )
        invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
        if i % 3 == 0:
            register_payment(
                customer,
                amount="100",
                method="cheque",
                allocations=[{"invoice": invoice, "amount": "100"}],
                by=boss,
            )
        else:
            register_payment(customer, amount="5", method="cash", by=boss)  # left on the customer's account


def _rows(response) -> list:
    rows = []
    for row in response.context["page_obj"].object_list:
        if isinstance(row, dict):  # invoices: the invoice with what is left to pay on it
            rows.append((row["invoice"].pk, row["due"]))
        elif isinstance(row, tuple):  # orders: the order with its progress
            rows.append((row[0].pk, [line.pk for line in row[0].lines.all()]))
        else:
            rows.append(row.pk)
    return rows


@pytest.mark.parametrize(
    "url",
    [
        "/factures/?page=2",
        "/factures/?page=2&tri=-reste",
        "/factures/?etat=issued&page=2&tri=client",
        "/commandes/?page=2&tri=-total",
        "/reglements/?page=2",
    ],
)
def test_a_far_page_shows_the_rows_the_list_has_there(
    boss, thirty_orders_invoiced, monkeypatch, django_assert_max_num_queries, url
):
    client = Client()
    client.force_login(boss)
    read_through = _rows(client.get(url))
    monkeypatch.setattr(common, "DEFERRED_FROM", 1)  # page 2 (rows 26 to 30) is now a far page
    with django_assert_max_num_queries(16):
        far = client.get(url)
    assert _rows(far) == read_through
    assert len(read_through) == 5
