"""A customer's real margin, told as a story, each step of the waterfall reconciled to its source documents,
the stock moves or the ledger.

Menuiserie Martin buys ten drills (120 €, 10 % off the line, a 80 € remise globale, 20 € of carriage charged,
cost 70 €); two come back and go back on the shelf (credited); one more drill leaves as an urgent delivery
the company absorbs. A technician goes on site (parts, travel, two hours), the project manager spends three
hours and a sales engineer half an hour of pre-sales; a 50 € late-delivery penalty is paid; the invoices are
paid late.
"""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from comptoir.accounting.models import EntryLine
from comptoir.aftersales import services as aftersales
from comptoir.aftersales.models import TimeEntry
from comptoir.billing.adjusting import add_allowance_charge
from comptoir.billing.models import Invoice, InvoiceLine
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.permissions import Role
from comptoir.core.testing import colleague_of, make_user
from comptoir.insights import real_margin
from comptoir.insights import selectors as margin_view
from comptoir.payments.selectors import invoice_payment_state
from comptoir.returns.services import (
    approve_case,
    open_case,
    receive_goods,
    resolve_with_credit_note,
    submit_case,
)
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.logistics import set_logistics
from comptoir.stock.models import StockMove
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db

D = Decimal


def _sold(boss, customer, product, quantity, discount="0"):
    order = confirm_order(
        create_order(
            customer, [{"product": product, "quantity": quantity, "discount_percent": discount}], by=boss
        ),
        by=boss,
    )
    delivery = validate_delivery(create_delivery(order, by=boss), by=boss)
    return order, delivery


def test_real_margin_of_a_customer_reconciles_each_step_to_documents_stock_and_ledger(
    boss, company, customer, product
):
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    order, delivery = _sold(boss, customer, product, "10", discount="10")
    draft = create_invoice_from_order(order, by=boss)
    add_allowance_charge(draft, by=boss, is_charge=False, amount="80", reason="Remise exceptionnelle")
    add_allowance_charge(draft, by=boss, is_charge=True, amount="20", reason="Frais de port")
    invoice = issue_invoice(draft, by=boss)
    assert invoice.total_untaxed == D("1020.00")  # 1 200 − 120 − 80 + 20

    case = open_case(
        delivery, [{"delivery_line": delivery.lines.get(), "quantity": "2"}], by=boss, reason="damaged"
    )
    case = approve_case(submit_case(case, by=boss), by=colleague_of(boss))
    receive_goods(
        case,
        [{"line": case.lines.get(), "quantity": "2", "inspection": "RAS", "disposition": "back_to_stock"}],
        by=boss,
    )
    [resolution] = resolve_with_credit_note(case, by=boss)
    credit_note = resolution.credit_note

    urgent_order, urgent = _sold(boss, customer, product, "1")
    second = issue_invoice(create_invoice_from_order(urgent_order, by=boss), by=boss)
    set_logistics(delivery, by=boss, carrier_cost="35", weight_kg="25")
    set_logistics(urgent, by=boss, weight_kg="5", urgent_absorbed=True, urgent_reason="Chantier à l'arrêt")
    aftersales.add_shipping_rate(by=boss, cost="15", max_weight_kg="30")
    aftersales.add_shipping_rate(by=boss, cost="60")

    technician = make_user("tech", Role.LOGISTIQUE)
    manager = make_user("pm", Role.COMMERCIAL)
    presales = make_user("ing", Role.COMMERCIAL)
    for user, name, cost in (
        (technician, "Technicien", "48"),
        (manager, "Chef de projet", "65"),
        (presales, "Avant-vente", "70"),
    ):
        aftersales.assign_profile(
            user, aftersales.create_profile(by=boss, name=name, hourly_cost=cost), by=boss
        )
    ticket = aftersales.open_ticket(
        customer,
        by=technician,
        title="Perceuse qui chauffe",
        kind="intervention",
        order=order,
        parts_cost="90",
        travel_cost="60",
    )
    aftersales.record_time(by=technician, customer=customer, minutes=120, activity="admin", ticket=ticket)
    aftersales.record_time(by=manager, customer=customer, minutes=180, activity="project", order=order)
    aftersales.record_time(by=presales, customer=customer, minutes=30, activity="presales")
    aftersales.record_adjustment(customer, by=boss, amount="50", reason="Pénalité de retard de livraison")

    # Read on the tenth day after the first invoice fell due, nothing paid
    date_to = invoice.due_date + datetime.timedelta(days=10)
    result = real_margin.customer_waterfall(customer, date_to=date_to)
    steps = {step.key: step for step in result.steps}

    # Invoiced revenue: the lines before their discount plus the charges, as the invoices print them
    lines = InvoiceLine.objects.filter(invoice__in=[invoice, second])
    gross_lines = sum(((line.quantity * line.unit_price).quantize(D("0.01")) for line in lines), D("0"))
    assert steps["gross_revenue"].amount == gross_lines + D("20") == D("1340.00")
    discounts = {d.key: d.amount for d in steps["discounts"].details}
    assert discounts == {
        "line_discounts": gross_lines - sum(line.net_amount for line in lines),
        "allowances": D("80"),
    }
    assert steps["discounts"].amount == D("-200.00")
    # Credit notes: what the return's credit note took back, HT
    [returned] = steps["credit_notes"].details
    assert (returned.key, returned.amount, returned.count) == ("returns", credit_note.total_untaxed, 1)

    # Net revenue = the revenue accounts of the ledger (706, 707, 709, 7085: credit − debit)
    ledger = EntryLine.objects.filter(account__code__in=["706", "707", "709", "7085"]).aggregate(
        credit=Sum("credit"), debit=Sum("debit")
    )
    assert result.net_revenue == D(ledger["credit"]) - D(ledger["debit"])
    assert result.net_revenue == invoice.total_untaxed + second.total_untaxed - credit_note.total_untaxed

    # Cost of goods = the value the customer's deliveries took out of stock, less what the return put back
    moves = StockMove.objects.filter(kind__in=["delivery", "return"])
    assert -steps["cost_of_goods"].amount == -sum((m.quantity * m.unit_cost for m in moves), D("0"))
    assert steps["cost_of_goods"].amount == D("-630.00")  # 11 out, 2 back, at 70 €

    # Logistics: the carrier cost entered, and the urgent note priced by the rate of its weight
    logistics = {d.key: (d.amount, d.count) for d in steps["logistics"].details}
    assert logistics == {"deliveries": (D("35.00"), 1), "urgent_absorbed": (D("15.00"), 1)}

    # After-sales: the ticket's parts and travel, and the technician's two hours at 48 €
    aftersales_details = {d.key: d.amount for d in steps["aftersales"].details}
    assert aftersales_details == {"parts": D("90.00"), "travel": D("60.00"), "time": D("96.00")}
    assert TimeEntry.objects.get(user=technician).activity == "aftersales"
    # Internal time: three hours of project management at 65 €, half an hour of pre-sales at 70 €
    internal = {d.key: (d.amount, d.count) for d in steps["internal_time"].details}
    assert internal == {"presales": (D("35.00"), 30), "project": (D("195.00"), 180)}

    # Payment delay: each invoice's balance × its days late by the end of the period × 5 % ÷ 365
    euro_days = sum(
        (
            invoice_payment_state(Invoice.objects.get(pk=doc.pk)).balance_due * (date_to - doc.due_date).days
            for doc in (invoice, second)
        ),
        D("0"),
    )
    assert steps["payment_delay"].amount == -(euro_days * 5 / 100 / 365).quantize(D("0.01"))
    assert steps["payment_delay"].amount < 0
    assert steps["adjustments"].amount == D("-50.00")

    # The real margin is what is left; the sales view (lines − cost of goods) shows more
    costs = D("630") + D("50") + D("246") + D("230") - steps["payment_delay"].amount + D("50")
    assert result.real_margin == result.net_revenue - costs
    assert result.sales_view == margin_view.totals(invoice__customer_id=customer.pk)
    assert result.sales_view.margin > result.real_margin


def test_the_discounts_step_says_why_each_discount_was_granted(
    boss, company, customer, product, service_product
):
    """Each discount carries the category chosen when it was granted (pricing): the waterfall shows the
    line discounts and the remises globales per category, and only what predates the categories says
    « non catégorisé »."""
    receive_stock([{"product": product, "quantity": "10", "unit_cost": "70"}], by=boss)
    order = confirm_order(
        create_order(
            customer,
            [
                {
                    "product": product,
                    "quantity": "5",
                    "discount_percent": "10",
                    "discount_category": "volume",
                },
                {
                    "product": service_product,
                    "quantity": "1",
                    "discount_percent": "20",
                    "discount_category": "gesture",
                },
            ],
            by=boss,
        ),
        by=boss,
    )
    validate_delivery(create_delivery(order, by=boss), by=boss)
    draft = create_invoice_from_order(order, by=boss)
    add_allowance_charge(
        draft, by=boss, is_charge=False, amount="30", reason="Fidélité", discount_category="negotiated"
    )
    issue_invoice(draft, by=boss)

    details = {
        (d.key, d.label): d.amount for d in real_margin.customer_waterfall(customer).step("discounts").details
    }
    assert details == {
        ("line_discounts", "Remise volume"): D("60.00"),  # 5 × 120 × 10 %
        ("line_discounts", "Geste commercial"): D("90.00"),  # 450 × 20 %
        ("allowances", "Remise négociée"): D("30.00"),
    }
