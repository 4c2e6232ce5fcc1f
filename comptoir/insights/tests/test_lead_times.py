"""Lead times read from small chains built with the real services, reconciled to the documents' dates.

Menuiserie Martin orders 10 drills and an installation on D-30; 4 drills leave on D-27, the other 6 on D-20;
the order is invoiced on D-18 and paid on D-3. A second order, on D-12, is delivered on D-10, invoiced on
D-9 and not paid yet. Bois & Fils orders 2 drills on D-25, delivered and invoiced on D-24 and paid on D-14.
"""

import datetime
from decimal import Decimal

import pytest

from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import dates
from comptoir.core.testing import make_customer
from comptoir.insights import lead_times
from comptoir.insights.percentiles import of_values
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

D = Decimal


def day(n: int) -> datetime.date:
    return dates.today() - datetime.timedelta(days=n)


def _order(boss, customer, lines, days):
    return confirm_order(create_order(customer, lines, by=boss, date=day(days)), by=boss)


def _ship(boss, order, days, quantities):
    """A delivery note of D-`days`: {line index: quantity}."""
    order_lines = list(order.lines.order_by("position"))
    wanted = [{"order_line": order_lines[i], "quantity": q} for i, q in quantities.items()]
    validate_delivery(create_delivery(order, wanted, by=boss, date=day(days)), by=boss, date=day(days))


def _invoice(boss, order, days):
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day(days))


def _pay(boss, invoice, days, amount=None):
    amount = invoice.total if amount is None else amount
    register_payment(
        invoice.customer,
        by=boss,
        amount=amount,
        method="transfer",
        date=day(days),
        allocations=[{"invoice": invoice, "amount": amount}],
    )


@pytest.fixture
def chains(boss, customer, product, service_product):
    """The story of the module, in the order of the days (numbers follow the calendar)."""
    receive_stock([{"product": product, "quantity": "50", "unit_cost": "70"}], by=boss, date=day(31))
    bois = make_customer(boss, name="Bois & Fils", siren="732829320")
    first = _order(
        boss,
        customer,
        [{"product": product, "quantity": "10"}, {"product": service_product, "quantity": "1"}],
        30,
    )
    _ship(boss, first, 27, {0: 4})
    bois_order = _order(boss, bois, [{"product": product, "quantity": "2"}], 25)
    _ship(boss, bois_order, 24, {0: 2})
    bois_invoice = _invoice(boss, bois_order, 24)
    _ship(boss, first, 20, {0: 6})
    first_invoice = _invoice(boss, first, 18)
    _pay(boss, bois_invoice, 14)
    second = _order(boss, customer, [{"product": product, "quantity": "3"}], 12)
    _ship(boss, second, 10, {0: 3})
    _invoice(boss, second, 9)
    _pay(boss, first_invoice, 3)
    return customer, bois


def test_each_step_per_customer_is_read_from_the_documents_dates(chains):
    martin, bois = chains

    found = {row.key: row for row in lead_times.lead_times("customer").rows}

    martin_row = found[martin.pk]
    # Order → first delivery: 3 days (D-30 → D-27) and 2 days (D-12 → D-10).
    assert martin_row.spread("first_delivery") == lead_times.Spread(2, D("2.5"), D("2.9"))
    # Order → last delivery: 10 days (D-30 → D-20) and 2 days.
    assert (martin_row.last_delivery_median, martin_row.last_delivery_count) == (D("6.0"), 2)
    # Delivery → invoice: the notes of D-27 and D-20 invoiced on D-18 (9 and 2 days), D-10 on D-9 (1 day).
    assert martin_row.spread("invoicing") == lead_times.Spread(3, D("2.0"), D("7.6"))
    # Invoice → payment: only the paid invoice counts (D-18 → D-3), the other one is still due.
    assert martin_row.spread("payment") == lead_times.Spread(1, D("15.0"), D("15.0"))
    # Order → cash: D-30 → D-3; the second order is not paid, so it has no cash date yet.
    assert martin_row.spread("cash") == lead_times.Spread(1, D("27.0"), D("27.0"))

    bois_row = found[bois.pk]
    assert (bois_row.first_delivery_median, bois_row.invoicing_median, bois_row.payment_median) == (
        D("1.0"),
        D("0.0"),
        D("10.0"),
    )
    assert bois_row.cash_median == D("11.0")
    assert bois_row.label == "Bois & Fils"


def test_overall_figures_take_every_document_once(chains):
    result = lead_times.lead_times("customer")

    # Orders → first delivery: 3, 2 and 1 days.
    assert result.overall.spread("first_delivery") == lead_times.Spread(3, D("2.0"), D("2.8"))
    # Invoices → payment: 15 and 10 days.
    assert result.overall.spread("payment") == lead_times.Spread(2, D("12.5"), D("14.5"))


def test_per_product_each_line_counts_and_services_are_never_delivered(chains, product, service_product):
    found = {row.key: row for row in lead_times.lead_times("product").rows}

    drill = found[product.pk]
    # Three lines of drills ordered: first shipped after 3, 2 and 1 days.
    assert drill.spread("first_delivery") == lead_times.Spread(3, D("2.0"), D("2.8"))
    # Delivery lines → invoice: 9, 2, 1 and 0 days.
    assert drill.spread("invoicing").count == 4
    assert drill.invoicing_median == of_values([9, 2, 1, 0], D("0.5")) == D("1.5")
    installation = found[service_product.pk]
    assert installation.first_delivery_count == 0
    # The installation was invoiced on D-18 and paid on D-3, its order taken on D-30.
    assert (installation.payment_median, installation.cash_median) == (D("15.0"), D("27.0"))


def test_the_period_counts_the_documents_that_start_the_step_in_it(chains):
    martin, _bois = chains

    recent = lead_times.lead_times("customer", date_from=day(13), date_to=day(0))

    by_key = {row.key: row for row in recent.rows}
    # Only the order of D-12 started within the period: delivered after 2 days, not paid yet.
    assert by_key[martin.pk].spread("first_delivery") == lead_times.Spread(1, D("2.0"), D("2.0"))
    assert by_key[martin.pk].cash_count == 0
    assert recent.overall.payment_count == 0


def test_an_invoice_settled_without_lettering_is_paid_on_its_last_payment(boss, customer, product):
    """Two payments of the same day-old invoice: it is paid the day the second one settles it."""
    receive_stock([{"product": product, "quantity": "5", "unit_cost": "70"}], by=boss, date=day(20))
    order = _order(boss, customer, [{"product": product, "quantity": "1"}], 20)
    _ship(boss, order, 19, {0: 1})
    invoice = _invoice(boss, order, 18)
    half = (invoice.total / 2).quantize(D("0.01"))
    _pay(boss, invoice, 10, half)
    _pay(boss, invoice, 6, invoice.total - half)

    paid_on = lead_times.paid_invoices().get(pk=invoice.pk).paid_on

    assert paid_on == day(6)
    assert lead_times.lead_times("customer").overall.spread("payment").median == D("12.0")
