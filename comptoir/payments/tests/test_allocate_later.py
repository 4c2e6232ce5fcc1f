"""Money received before anyone knew which invoice it pays is allocated later, with the same rules as at
receipt: the customer's account is matched and the VAT on services becomes due."""

from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.errors import DomainError
from comptoir.core.models import AuditEvent
from comptoir.core.testing import make_customer
from comptoir.payments import selectors
from comptoir.payments.services import allocate_payment, register_payment, unallocated
from comptoir.sales.services import confirm_order, create_order

pytestmark = pytest.mark.django_db


def _issued(boss, customer, product, qty="1"):
    order = confirm_order(create_order(customer, [{"product": product, "quantity": qty}], by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.fixture
def advance(boss, customer):
    """1 620 € received from the customer, not allocated."""
    return register_payment(customer, amount="1620.00", method="transfer", by=boss)


def vat_collected_and_pending():
    balance = {row.code: row.credit - row.debit for row in ledger_view.trial_balance().rows}
    return balance.get("44571", Decimal("0")), balance.get("44574", Decimal("0"))


def test_allocating_an_advance_pays_the_invoices_letters_them_and_cashes_their_vat(
    boss, customer, service_product, advance
):
    first = _issued(boss, customer, service_product)  # 450 € + 90 € VAT on receipts
    second = _issued(boss, customer, service_product, "2")  # 900 € + 180 € VAT on receipts
    assert vat_collected_and_pending() == (Decimal("0"), Decimal("270.00"))

    allocate_payment(advance, [{"invoice": first, "amount": "540.00"}], by=boss)
    assert selectors.invoice_payment_state(first).status == "paid"
    assert unallocated(advance) == Decimal("1080.00")
    assert vat_collected_and_pending() == (Decimal("90.00"), Decimal("180.00"))

    allocate_payment(advance, [{"invoice": second, "amount": "1080.00"}], by=boss)
    assert selectors.invoice_payment_state(second).status == "paid"
    assert unallocated(advance) == 0
    assert vat_collected_and_pending() == (Decimal("270.00"), Decimal("0"))
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0
    # Both invoices and the advance itself are matched: nothing is left open on 411.
    assert all(line.letter for line in statement.lines)
    assert AuditEvent.objects.filter(action="payment.allocated", object_id=str(advance.pk)).count() == 2


def test_a_partial_allocation_leaves_the_invoice_partly_paid(boss, customer, service_product, advance):
    invoice = _issued(boss, customer, service_product, "4")  # 2 160 € incl. VAT

    allocate_payment(advance, [{"invoice": invoice, "amount": "1620.00"}], by=boss)

    state = selectors.invoice_payment_state(invoice)
    assert state.status == "partial" and state.balance_due == Decimal("540.00")


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("1620.01", "payment_unallocated_exceeded"),
        ("0", "allocation_not_positive"),
        ("abc", "invalid_amount"),
    ],
)
def test_an_allocation_beyond_what_is_left_or_not_a_positive_amount_is_refused(
    boss, customer, service_product, advance, amount, code
):
    invoice = _issued(boss, customer, service_product, "4")

    with pytest.raises(DomainError) as refused:
        allocate_payment(advance, [{"invoice": invoice, "amount": amount}], by=boss)

    assert refused.value.code == code
    assert unallocated(advance) == Decimal("1620.00")
    assert not invoice.allocations.exists()


def test_another_customers_invoice_or_a_used_up_payment_is_refused(boss, customer, service_product, advance):
    other = make_customer(boss, name="Atelier Dupuis", siren="732829320")
    theirs = _issued(boss, other, service_product)
    with pytest.raises(DomainError) as refused:
        allocate_payment(advance, [{"invoice": theirs, "amount": "540.00"}], by=boss)
    assert refused.value.code == "invoice_other_customer"

    mine = _issued(boss, customer, service_product, "3")  # 1 620 € incl. VAT
    allocate_payment(advance, [{"invoice": mine, "amount": "1620.00"}], by=boss)
    with pytest.raises(DomainError) as refused:
        allocate_payment(advance, [{"invoice": mine, "amount": "1"}], by=boss)
    assert refused.value.code == "payment_fully_allocated"
