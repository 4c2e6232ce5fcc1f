"""A payment entered twice is cancelled by a contra entry, never deleted; a transfer booked on the wrong
customer moves to the right one (reversed on the first, registered and allocated on the second)."""

from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.testing import make_customer
from comptoir.payments import selectors
from comptoir.payments.models import Payment
from comptoir.payments.services import (
    move_payment_to_customer,
    register_payment,
    reverse_payment,
    unallocated,
)
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _issued(boss, customer, product, qty="1"):
    """An issued invoice of what was ordered, the goods received and shipped first."""
    order = confirm_order(create_order(customer, [{"product": product, "quantity": qty}], by=boss), by=boss)
    if product.kind != "service":
        receive_stock([{"product": product, "quantity": qty, "unit_cost": "70.00"}], by=boss)
        validate_delivery(create_delivery(order, None, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def test_a_payment_entered_twice_is_reversed_by_a_contra_entry(boss, company, customer, product):
    invoice = _issued(boss, customer, product)
    register_payment(
        customer,
        amount="144.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "144.00"}],
        by=boss,
    )
    twice = register_payment(customer, amount="144.00", method="transfer", reference=invoice.number, by=boss)

    reversal = reverse_payment(twice, by=boss, reason="Même virement saisi deux fois")

    assert Payment.objects.filter(pk=twice.pk).exists()  # kept, never deleted
    assert unallocated(twice) == 0
    assert reversal.entry.journal.code == "BQ"
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0 and all(line.letter for line in statement.lines)
    assert selectors.aged_receivables().rows == []
    bank = {row.code: row.debit - row.credit for row in ledger_view.trial_balance().rows}["512"]
    assert bank == Decimal("144.00")
    assert AuditEvent.objects.filter(action="payment.reversed", object_id=str(twice.pk)).exists()
    with pytest.raises(DomainError) as again:
        reverse_payment(twice, by=boss, reason="encore")
    assert again.value.code == "payment_already_reversed"


def test_an_allocated_payment_is_not_reversed(boss, company, customer, product):
    invoice = _issued(boss, customer, product)
    paid = register_payment(
        customer,
        amount="144.00",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "144.00"}],
        by=boss,
    )
    with pytest.raises(DomainError) as refused:
        reverse_payment(paid, by=boss, reason="erreur")
    assert refused.value.code == "payment_reversal_allocated"


def test_a_transfer_booked_on_the_wrong_customer_moves_to_the_right_one(boss, company, customer, product):
    other = make_customer(boss, name="Charpentes Durand SAS", siren="552032534")
    invoice = _issued(boss, customer, product)
    wrong = register_payment(other, amount="144.00", method="transfer", reference=invoice.number, by=boss)

    moved = move_payment_to_customer(
        wrong,
        customer,
        by=boss,
        reason="Virement du client Martin",
        allocations=[{"invoice": invoice, "amount": "144.00"}],
    )

    assert moved.customer == customer and moved.reference == invoice.number and moved.date == wrong.date
    assert wrong.reversal.replaced_by == moved
    assert selectors.invoice_payment_state(invoice).status == "paid"
    assert unallocated(wrong) == 0
    for someone in (customer, other):
        statement = ledger_view.customer_statement(someone)
        assert statement.balance == 0 and all(line.letter for line in statement.lines)
