"""A small payment gap (« écart de règlement ») written off: the payment allocated in full, the
shortfall a charge (658) or the excess a product (758), the invoice settled and lettered, within the
company's threshold, by accounting or direction."""

from decimal import Decimal

import pytest

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core import approvals
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.payments import selectors
from comptoir.payments.models import PaymentWriteOff
from comptoir.payments.services import (
    allocate_payment,
    register_payment,
    unallocated,
    write_off_payment_gap,
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


def balances():
    return {row.code: row.debit - row.credit for row in ledger_view.trial_balance().rows}


def test_a_payment_a_bank_fee_short_settles_the_invoice_and_the_fee_goes_to_658(
    boss, company, customer, product
):
    invoice = _issued(boss, customer, product)  # 120 € HT, 144 € TTC (goods: VAT due at invoicing)
    payment = register_payment(
        customer, amount="143.20", method="transfer", reference=invoice.number, by=boss
    )
    vat_before = balances().get("44571")

    write_off = write_off_payment_gap(invoice, payment=payment, by=boss)

    assert write_off.kind == PaymentWriteOff.Kind.LOSS and write_off.amount == Decimal("0.80")
    state = selectors.invoice_payment_state(invoice)
    assert state.status == "paid" and state.balance_due == 0
    assert unallocated(payment) == 0
    assert selectors.open_invoices(customer) == []
    after = balances()
    assert after["658"] == Decimal("0.80")
    assert after.get("44571") == vat_before  # no VAT effect
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0 and all(line.letter for line in statement.lines)
    assert AuditEvent.objects.filter(action="payment.written_off", object_id=str(invoice.pk)).exists()


def test_a_few_cents_paid_beyond_the_invoice_go_to_758_and_use_the_payment_up(
    boss, company, customer, product
):
    invoice = _issued(boss, customer, product)  # 144 € TTC
    payment = register_payment(customer, amount="144.03", method="transfer", by=boss)

    write_off = write_off_payment_gap(invoice, payment=payment, by=boss)

    assert write_off.kind == PaymentWriteOff.Kind.GAIN and write_off.amount == Decimal("0.03")
    assert selectors.invoice_payment_state(invoice).status == "paid"
    assert unallocated(payment) == 0
    assert balances()["758"] == Decimal("-0.03")
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0 and all(line.letter for line in statement.lines)
    row = selectors.aged_receivables().rows
    assert row == []


def test_a_leftover_after_an_allocated_payment_is_written_off_and_the_invoice_lettered(
    boss, company, customer, product
):
    invoice = _issued(boss, customer, product)  # 144 € TTC
    payment = register_payment(
        customer,
        amount="143.97",
        method="transfer",
        allocations=[{"invoice": invoice, "amount": "143.97"}],
        by=boss,
    )
    assert selectors.invoice_payment_state(invoice).balance_due == Decimal("0.03")

    write_off_payment_gap(invoice, by=boss)

    assert selectors.invoice_payment_state(invoice).status == "paid"
    assert unallocated(payment) == 0
    statement = ledger_view.customer_statement(customer)
    assert statement.balance == 0 and all(line.letter for line in statement.lines)


def test_a_service_invoice_written_off_releases_its_waiting_vat(boss, company, customer, service_product):
    invoice = _issued(boss, customer, service_product)  # 450 € + 90 € VAT on receipts
    payment = register_payment(customer, amount="538.50", method="transfer", by=boss)

    write_off_payment_gap(invoice, payment=payment, by=boss)

    after = balances()
    assert after.get("44574", Decimal("0")) == 0 and after["44571"] == Decimal("-90.00")


def test_a_gap_above_the_company_threshold_is_refused(boss, company, customer, product):
    invoice = _issued(boss, customer, product, "2")  # 288 € TTC
    payment = register_payment(customer, amount="280.00", method="transfer", by=boss)
    with pytest.raises(DomainError) as refused:
        write_off_payment_gap(invoice, payment=payment, by=boss)
    assert refused.value.code == "write_off_above_threshold"

    approvals.set_thresholds(write_off_threshold=Decimal("10.00"))
    write_off_payment_gap(invoice, payment=payment, by=boss)
    assert selectors.invoice_payment_state(invoice).status == "paid"


def test_an_invoice_nothing_was_paid_on_is_never_written_off(boss, company, customer, product):
    invoice = _issued(boss, customer, product)
    with pytest.raises(DomainError) as refused:
        write_off_payment_gap(invoice, by=boss)
    assert refused.value.code == "write_off_nothing_paid"


def test_an_exact_payment_has_no_gap_to_write_off(boss, company, customer, product):
    invoice = _issued(boss, customer, product)
    payment = register_payment(customer, amount="144.00", method="transfer", by=boss)
    with pytest.raises(DomainError) as refused:
        write_off_payment_gap(invoice, payment=payment, by=boss)
    assert refused.value.code == "write_off_no_gap"
    allocate_payment(payment, [{"invoice": invoice, "amount": "144.00"}], by=boss)


def test_only_accounting_and_direction_write_gaps_off(boss, company, customer, product):
    invoice = _issued(boss, customer, product)
    payment = register_payment(customer, amount="143.20", method="transfer", by=boss)
    with pytest.raises(PermissionDenied):
        write_off_payment_gap(invoice, payment=payment, by=make_user("adv", Role.ADV))
    write_off_payment_gap(invoice, payment=payment, by=make_user("compta", Role.COMPTABILITE))
