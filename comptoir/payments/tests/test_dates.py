"""Money settles documents that exist: a payment is not dated before the invoices it pays (money received
ahead, unallocated or for a deposit invoice, is the exception), a refund not before its credit note, a
credit note applied not before either document, an allocation not before the payment or its invoices.
Nothing is dated in the future or beyond the company's window."""

import datetime

import pytest

from comptoir.billing.services import (
    create_credit_note,
    create_invoice_from_order,
    create_milestone_invoice,
    issue_invoice,
)
from comptoir.core import dates
from comptoir.core.errors import DomainError
from comptoir.payments.services import (
    allocate_payment,
    apply_credit_note,
    refund_credit_note,
    register_payment,
)
from comptoir.sales.services import confirm_order, create_order, set_billing_schedule

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
TODAY = dates.today()


def _refused(code, call, *args, **kwargs):
    with pytest.raises(DomainError) as exc:
        call(*args, **kwargs)
    assert exc.value.code == code, exc.value.message
    return exc.value.message


def _invoice(boss, customer, service_product, day, quantity="1"):
    order = confirm_order(
        create_order(customer, [{"product": service_product, "quantity": quantity}], by=boss, date=day),
        by=boss,
    )
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss, date=day)


def _credit_note(boss, invoice, day):
    note = create_credit_note(
        invoice,
        [{"invoice_line": invoice.lines.get(), "quantity": "1", "unit_price": "100"}],
        by=boss,
        reason="Geste",
        source_reference="RET-2026-00001",
    )
    return issue_invoice(note, by=boss, date=day)


def test_a_payment_is_not_dated_before_the_invoice_it_settles(boss, customer, service_product):
    invoice = _invoice(boss, customer, service_product, TODAY - 3 * DAY)
    message = _refused(
        "date_before_document",
        register_payment,
        customer,
        amount="540",
        method="transfer",
        date=TODAY - 4 * DAY,
        allocations=[{"invoice": invoice, "amount": "540"}],
        by=boss,
    )
    assert invoice.number in message
    # Money received ahead, not allocated, is a prepayment: any day of the window.
    advance = register_payment(customer, amount="540", method="transfer", date=TODAY - 4 * DAY, by=boss)
    # Matched later, the allocation is dated once both exist.
    _refused(
        "date_before_document",
        allocate_payment,
        advance,
        [{"invoice": invoice, "amount": "540"}],
        by=boss,
        date=TODAY - 4 * DAY,
    )
    allocate_payment(advance, [{"invoice": invoice, "amount": "540"}], by=boss, date=TODAY - 3 * DAY)


def test_a_payment_in_the_future_or_beyond_the_window_is_refused(boss, customer):
    _refused(
        "date_in_future", register_payment, customer, amount="1", method="cash", date=TODAY + DAY, by=boss
    )
    # Last year's books are out of reach of a default company: 31 days back at most.
    _refused(
        "date_beyond_backdating_window",
        register_payment,
        customer,
        amount="1",
        method="cash",
        date=TODAY - 32 * DAY,
        by=boss,
    )


def test_money_received_for_a_deposit_may_come_before_the_deposit_invoice(boss, customer, service_product):
    order = create_order(
        customer, [{"product": service_product, "quantity": "2"}], by=boss, date=TODAY - 5 * DAY
    )
    set_billing_schedule(
        order, [{"label": "Acompte", "trigger": "confirmation", "percent": "30", "is_deposit": True}], by=boss
    )
    confirm_order(order, by=boss)
    deposit = issue_invoice(create_milestone_invoice(order.milestones.get(), by=boss), by=boss)
    payment = register_payment(
        customer,
        amount=deposit.total,
        method="transfer",
        date=TODAY - 2 * DAY,
        allocations=[{"invoice": deposit, "amount": deposit.total}],
        by=boss,
    )
    assert payment.date == TODAY - 2 * DAY


def test_a_refund_is_not_dated_before_its_credit_note(boss, customer, service_product):
    invoice = _invoice(boss, customer, service_product, TODAY - 5 * DAY)
    note = _credit_note(boss, invoice, TODAY - 2 * DAY)
    message = _refused(
        "date_before_document", refund_credit_note, note, by=boss, method="transfer", date=TODAY - 3 * DAY
    )
    assert note.number in message
    _refused("date_in_future", refund_credit_note, note, by=boss, method="transfer", date=TODAY + DAY)
    assert refund_credit_note(note, by=boss, method="transfer", date=TODAY - 2 * DAY).date == TODAY - 2 * DAY


def test_a_credit_note_is_applied_once_both_documents_exist(boss, customer, service_product):
    first = _invoice(boss, customer, service_product, TODAY - 6 * DAY)
    note = _credit_note(boss, first, TODAY - 5 * DAY)
    later = _invoice(boss, customer, service_product, TODAY - 2 * DAY)
    message = _refused("date_before_document", apply_credit_note, note, later, by=boss, date=TODAY - 3 * DAY)
    assert later.number in message
    _refused("date_before_document", apply_credit_note, note, first, by=boss, date=TODAY - 6 * DAY)
    _refused("date_in_future", apply_credit_note, note, later, by=boss, date=TODAY + DAY)
    assert apply_credit_note(note, later, by=boss, date=TODAY - 2 * DAY).date == TODAY - 2 * DAY
