"""The invoice that completes an order deducts the deposits still open."""

import pytest

from comptoir.assistant.findings import Severity
from comptoir.assistant.tests.factories import codes, draft, invoice_findings, ship, stock, the
from comptoir.billing.models import DepositDeduction, Invoice
from comptoir.billing.services import create_milestone_invoice, issue_invoice
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule

pytestmark = pytest.mark.django_db


def _order_with_issued_deposit(boss, customer, product):
    stock(boss, product)
    order = create_order(customer, [{"product": product, "quantity": "10"}], by=boss)
    (step,) = set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(step, by=boss), by=boss)
    ship(boss, order)
    return order, deposit


def test_a_closing_invoice_that_deducts_the_deposit_is_not_reported(boss, company, customer, product):
    order, deposit = _order_with_issued_deposit(boss, customer, product)
    closing = draft(boss, order)

    assert closing.deposits_deducted == deposit.total
    assert "deposit_not_deducted" not in codes(invoice_findings(closing))


def test_a_closing_invoice_that_forgets_the_deposit_is_reported(boss, company, customer, product):
    order, deposit = _order_with_issued_deposit(boss, customer, product)
    closing = draft(boss, order)
    # A draft drawn up without the deposit (by hand, or imported): it deducts nothing.
    DepositDeduction.objects.filter(invoice=closing).delete()
    Invoice.objects.filter(pk=closing.pk).update(deposits_deducted=0)

    finding = the(invoice_findings(closing), "deposit_not_deducted")

    assert finding.severity == Severity.WARNING
    assert finding.message == (
        f"La facture brouillon n° {closing.pk} termine la facturation de la commande {order.number} sans "
        f"déduire l'acompte {deposit.number} (432,00\u00a0€ TTC) : le client paierait deux fois 432,00\u00a0€."
    )
    assert finding.proposal.kind == "deduct_deposit"
    assert deposit.number in {item.document for item in finding.evidence}
