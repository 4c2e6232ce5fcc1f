"""Money allocated to another invoice than the one its transfer names is moved onto the right one: a
contra allocation takes it back, nothing is changed or deleted, the ledger and the lettering follow."""

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.payments import selectors
from comptoir.payments.models import PaymentAllocation
from comptoir.payments.services import reallocate_payment, register_payment, unallocated
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

pytestmark = pytest.mark.django_db


def _issued(boss, customer, product, qty="1"):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": qty}], by=boss), by=boss)
    receive_stock([{"product": product, "quantity": qty, "unit_cost": "70.00"}], by=boss)
    validate_delivery(create_delivery(order, None, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def test_money_on_the_wrong_invoice_moves_to_the_one_its_reference_names(boss, company, customer, product):
    named = _issued(boss, customer, product)  # 144 € TTC
    other = _issued(boss, customer, product)  # 144 € TTC
    payment = register_payment(
        customer,
        amount="144.00",
        method="transfer",
        reference=named.number,
        allocations=[{"invoice": other, "amount": "144.00"}],
        by=boss,
    )
    assert selectors.invoice_payment_state(other).status == "paid"

    reallocate_payment(payment, from_invoice=other, to_invoice=named, by=boss)

    assert selectors.invoice_payment_state(named).status == "paid"
    assert selectors.invoice_payment_state(other).status == "open"
    assert [i.pk for i in selectors.open_invoices(customer)] == [other.pk]
    assert unallocated(payment) == 0
    assert PaymentAllocation.objects.filter(payment=payment).count() == 3  # nothing changed or deleted
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 144
    assert AuditEvent.objects.filter(action="payment.reallocated", object_id=str(payment.pk)).exists()

    # The invoice owing again is paid later: its debt opened again is lettered with that money.
    register_payment(
        customer,
        amount="144.00",
        method="transfer",
        allocations=[{"invoice": other, "amount": "144.00"}],
        by=boss,
    )
    assert selectors.open_invoices(customer) == []
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0 and all(line.letter for line in statement.lines)


def test_a_reallocation_beyond_what_the_right_invoice_owes_is_refused(boss, company, customer, product):
    small = _issued(boss, customer, product)  # 144 €
    large = _issued(boss, customer, product, "2")  # 288 €
    payment = register_payment(
        customer,
        amount="288.00",
        method="transfer",
        allocations=[{"invoice": large, "amount": "288.00"}],
        by=boss,
    )
    with pytest.raises(DomainError) as refused:
        reallocate_payment(payment, from_invoice=large, to_invoice=small, by=boss)
    assert refused.value.code == "allocation_exceeds_balance"
