"""Margins through a whole sale, told as a story and reconciled to the stock moves and the ledger.

Menuiserie Martin orders ten drills (120 €, bought 70 €) and their installation (450 €, 200 € of
subcontracting), pays 30 % down, is delivered and invoiced; four drills come back damaged — three go back on
the shelf, one is scrapped — and are credited; then a 10 € gesture on each of the six drills kept.
"""

import calendar
from decimal import Decimal

import pytest
from django.db.models import Sum

from comptoir.accounting.models import EntryLine
from comptoir.billing.models import Invoice
from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    issue_invoice,
)
from comptoir.core.testing import colleague_of, make_product
from comptoir.insights import selectors as margin_view
from comptoir.insights.margins import Margin
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule
from comptoir.stock.models import StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

D = Decimal


def _revenue_in_ledger(date_from, date_to) -> Decimal:
    """Revenue as the books hold it: credit − debit of 706, 707 and 709 over the period."""
    sums = EntryLine.objects.filter(
        account__code__in=["706", "707", "709"], entry__date__gte=date_from, entry__date__lte=date_to
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return D(sums["credit"] or 0) - D(sums["debit"] or 0)


def test_margins_of_a_sale_with_deposit_return_and_gesture_reconcile_to_stock_and_ledger(
    boss, company, customer, product
):
    installation = make_product(
        boss, sku="SRV-POSE", name="Pose", sale_price="450.00", purchase_cost="200.00", kind="service"
    )
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = create_order(
        customer,
        [{"product": product, "quantity": "10"}, {"product": installation, "quantity": "1"}],
        by=boss,
    )
    (step,) = set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    invoice = issue_invoice(create_invoice_from_order(order, by=boss), by=boss)

    # Then the deposit is no sale of goods: it has no margin; the final invoice has one per line
    assert margin_view.invoice_margins(deposit).lines == []
    drills, pose = [row.margin for row in margin_view.invoice_margins(invoice).lines]
    assert (drills.revenue, drills.cost, drills.margin, drills.rate) == (
        D("1200"),
        D("700"),
        D("500"),
        D("41.7"),
    )
    assert (pose.revenue, pose.cost, pose.margin, pose.rate) == (D("450"), D("200"), D("250"), D("55.6"))

    # When four drills come back damaged: three go back on the shelf, one is scrapped; all four are credited
    case = open_case(
        delivery, [{"delivery_line": delivery.lines.get(), "quantity": "4"}], by=boss, reason="damaged"
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    return_line = case.lines.get()
    receive_goods(
        case,
        [
            {"line": return_line, "quantity": "3", "inspection": "RAS", "disposition": "back_to_stock"},
            {"line": return_line, "quantity": "1", "inspection": "moteur grillé", "disposition": "scrap"},
        ],
        by=boss,
    )
    [resolution] = resolve_with_credit_note(case, by=boss)
    returned = resolution.credit_note

    # Then the credit note cancels 480 € of revenue and only the cost of the three restocked drills
    [back] = [row.margin for row in margin_view.invoice_margins(returned).lines]
    assert (back.revenue, back.cost, back.margin) == (D("-480"), D("-210"), D("-270"))

    # When a 10 € gesture is granted on each of the six drills kept (a rabais on 709)
    drill_line = invoice.lines.get(product=product)
    gesture = create_credit_note(
        invoice,
        [{"invoice_line": drill_line, "quantity": "6", "unit_price": "10"}],
        by=boss,
        reason="Geste commercial",
        gesture_category="commercial",
    )
    gesture = issue_invoice(gesture, by=boss)
    [rebate] = [row.margin for row in margin_view.invoice_margins(gesture).lines]
    # Then it lowers revenue and reverses no cost: the goods stay with the customer
    assert (rebate.revenue, rebate.cost, rebate.margin, rebate.rate) == (
        D("-60"),
        D("0"),
        D("-60"),
        D("100.0"),
    )

    # And the order's margin is the sum of its lines, credit notes included
    on_order = margin_view.order_margins(order)
    assert [(row.line.invoice.number, row.margin.margin) for row in on_order.lines] == [
        (invoice.number, D("500")),
        (invoice.number, D("250")),
        (returned.number, D("-270")),
        (gesture.number, D("-60")),
    ]
    assert on_order.total == Margin(D("1110"), D("690"))
    assert on_order.total.margin == D("420") and on_order.total.rate == D("37.8")

    # And every grouping sums to the same totals
    for by in margin_view.GROUPINGS:
        rows = margin_view.margins_by(by)
        assert sum((row.margin for row in rows), Margin()) == Margin(D("1110"), D("690")), by
    [by_customer] = margin_view.margins_by("customer")
    assert (by_customer.label, by_customer.lines) == (customer.name, 4)
    by_product = {row.key: row.margin for row in margin_view.margins_by("product")}
    assert by_product[product.pk] == Margin(D("660"), D("490"))
    assert by_product[installation.pk] == Margin(D("450"), D("200"))
    [by_person] = margin_view.margins_by("salesperson")
    assert by_person.key == boss.pk

    # Reconciled to the stock: the cost of the drills is what left the shelf less what came back on it
    moves = StockMove.objects.filter(product=product, kind__in=["delivery", "return"])
    assert -sum((m.quantity * m.unit_cost for m in moves), D("0")) == by_product[product.pk].cost

    # Reconciled to the ledger: revenue is 706 + 707 − 709 over the month, the deposit (4191) left out
    [month] = margin_view.margins_by("month")
    first = month.key
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    assert month.margin.revenue == _revenue_in_ledger(first, last) == D("1110")
    assert margin_view.totals(date_from=first, date_to=last) == Margin(D("1110"), D("690"))
    assert Invoice.objects.filter(kind="deposit", status="issued").count() == 1
