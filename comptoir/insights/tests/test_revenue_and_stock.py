"""Revenue per channel, customer and month, and the stock products tie up, read from sales made with the
real services and reconciled to their documents."""

import datetime
from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.testing import make_product
from comptoir.insights import revenue, stock_cover
from comptoir.insights.tests.factories import two_sales
from comptoir.sales.models import Order
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

D = Decimal


def _api_sale(boss, customer, product, quantity="1"):
    order = create_order(
        customer, [{"product": product, "quantity": quantity}], by=boss, channel=Order.Channel.API
    )
    confirm_order(order, by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def test_revenue_per_channel_adds_up_to_the_invoices(boss, customer, product):
    two_sales(boss, customer, product)  # typed in: 10 × 120 € and 2 × 50 €
    invoice = _api_sale(boss, customer, product)  # through the API: 1 × 120 €

    rows = {row.key: row for row in revenue.revenue_by("channel")}

    assert rows["manual"].revenue == D("1300.00")
    assert rows["manual"].invoices == 2
    assert rows["api"].revenue == invoice.total_untaxed == D("120.00")
    assert rows["api"].label == "API"
    assert (rows["manual"].share, rows["api"].share) == (D("91.5"), D("8.5"))
    assert sum(row.revenue for row in rows.values()) == D("1420.00")


def test_revenue_per_customer_and_month_share_the_same_total(boss, customer, product):
    other = two_sales(boss, customer, product)

    per_customer = revenue.revenue_by("customer")
    per_month = revenue.revenue_by("month")

    assert [(row.key, row.revenue) for row in per_customer] == [
        (customer.pk, D("1200.00")),
        (other.pk, D("100.00")),
    ]
    assert per_customer[1].amount == D("-40.00")  # sold at 50 €, bought 70 €
    assert [row.revenue for row in per_month] == [D("1300.00")]


def test_an_order_without_an_order_channel_is_typed_in(boss, customer, product):
    order = create_order(customer, [{"product": product, "quantity": "1"}], by=boss)

    assert order.channel == Order.Channel.MANUAL


def test_cover_tied_up_and_dormant_products(boss, customer, product):
    """50 drills in at 70 €, 10 sold this month: 40 left, 2,800 € that last 120 days at that pace. 5 saws in
    at 20 € and never sold: dormant."""
    two_sales(boss, customer, product)  # stock 50 at 70 €; 10 then 2 delivered
    saw = make_product(boss, sku="SCIE-1", name="Scie", sale_price="40.00", purchase_cost="20.00")
    receive_stock([{"product": saw, "quantity": "5", "unit_cost": "20"}], by=boss)
    today = dates.today()

    rows = {
        row.key: row
        for row in stock_cover.products_stock(date_from=today - datetime.timedelta(days=29), date_to=today)
    }

    drill = rows[product.pk]
    assert (drill.on_hand, drill.sold, drill.stock_value) == (D("38"), D("12"), D("2660.00"))
    assert drill.cover == D("95.0")  # 38 units / (12 units / 30 days)
    assert drill.tied_up == D("252700")
    assert drill.revenue == D("1300.00") and not drill.dormant
    idle = rows[saw.pk]
    assert idle.dormant and idle.endless and idle.cover is None and idle.stock_value == D("100.00")
    # The endless cover comes first: money that waits for no sale at all.
    assert list(rows) == [saw.pk, product.pk]
