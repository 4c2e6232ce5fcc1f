"""GET /api/v1/insights/lead-times, /revenue and /products-stock: the figures of the pages, for the roles that
may see costs."""

import pytest

from comptoir.core.permissions import Role
from comptoir.insights.tests.factories import two_sales
from comptoir.payments.services import register_payment

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_lead_times_per_customer_through_the_api(api, boss, company, customer, product):
    two_sales(boss, customer, product)
    invoice = customer.invoices.get()
    register_payment(
        customer,
        by=boss,
        amount=invoice.total,
        method="transfer",
        allocations=[{"invoice": invoice, "amount": invoice.total}],
    )

    body = api.get("/insights/lead-times", {"by": "customer"}).json()

    row = next(r for r in body["rows"] if r["key"] == str(customer.pk))
    # Ordered, delivered, invoiced and paid the same day.
    assert row["first_delivery"] == {"count": 1, "median": "0.0", "p90": "0.0"}
    assert row["payment"] == {"count": 1, "median": "0.0", "p90": "0.0"}
    assert row["cash"]["count"] == 1
    assert body["overall"]["first_delivery"]["count"] == 2
    assert body["overall"]["payment"]["count"] == 1  # the other customer has not paid
    assert body["date_to"] >= body["date_from"]


def test_revenue_per_channel_and_products_stock_through_the_api(api, boss, company, customer, product):
    two_sales(boss, customer, product)

    channels = api.get("/insights/revenue", {"by": "channel"}).json()
    assert [(r["key"], r["revenue"], r["share"]) for r in channels["rows"]] == [
        ("manual", "1300.00", "100.0")
    ]
    assert channels["total"] == "1300.00"

    stock = api.get("/insights/products-stock", {"dormant_days": 30}).json()
    [row] = stock["rows"]
    assert (row["sku"], row["on_hand"], row["stock_value"], row["sold"], row["dormant"]) == (
        "REF-88",
        "38.000",
        "2660.00",
        "12.000",
        False,
    )
    assert row["margin"] == "460.00" and row["days_of_cover"] is not None


def test_a_salesperson_may_not_read_them_and_a_bad_grouping_is_refused(api, api_as, boss, company):
    seller, accountant = api_as(Role.COMMERCIAL), api_as(Role.COMPTABILITE)
    for path in ("/insights/lead-times", "/insights/revenue", "/insights/products-stock"):
        assert error_of(seller.get(path)) == (403, "permission_denied")
        assert accountant.get(path).status_code == 200
    assert api.get("/insights/revenue", {"by": "warehouse"}).status_code in (400, 422)
    assert error_of(api.get("/insights/lead-times", {"from": "2026-02-01", "to": "2026-01-01"}))[0] == 400
