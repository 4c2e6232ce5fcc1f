"""List endpoints cost a fixed number of queries, however many rows they return (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.payments.services import register_payment
from comptoir.sales.services import accept_quote, confirm_order, create_quote, send_quote
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

LISTS = [
    "/customers",
    "/products",
    "/stock/receipts",
    "/stock/levels",
    "/quotes",
    "/orders",
    "/deliveries",
    "/invoices",
    "/payments",
    "/accounting/entries",
    "/audit",
]


def _one_full_cycle(boss, customer, product, service_product):
    receive_stock([{"product": product, "quantity": "5"}], by=boss)
    quote = create_quote(
        customer,
        [{"product": product, "quantity": "2"}, {"product": service_product, "quantity": "1"}],
        by=boss,
    )
    order = confirm_order(accept_quote(send_quote(quote, by=boss), by=boss), by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)
    register_payment(
        customer,
        by=boss,
        amount="100",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "100"}],
    )


def _queries(api, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {"limit": 100})
    assert response.status_code == 200, response.json()
    return len(captured)


def test_list_endpoints_do_not_query_once_per_row(api, boss, company, customer, product, service_product):
    _one_full_cycle(boss, customer, product, service_product)
    api.get("/customers")  # the token's first use writes last_used_at; keep it out of the counts
    with_one = {path: _queries(api, path) for path in LISTS}

    for _ in range(3):
        _one_full_cycle(boss, customer, product, service_product)
    with_four = {path: _queries(api, path) for path in LISTS}

    assert with_four == with_one


def test_order_list_query_count_is_small(api, boss, company, customer, product, service_product):
    for _ in range(3):
        _one_full_cycle(boss, customer, product, service_product)
    api.get("/customers")
    # token + roles, count, orders with customer and quote, lines with products
    assert _queries(api, "/orders") <= 6
