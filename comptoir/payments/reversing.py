"""Cancelling a payment by a contra entry, never a delete: the same transfer entered twice
(`reverse_payment`), or a transfer booked on the wrong customer (`move_payment_to_customer`: reversed
on the one, registered on the other with the same amount, method, date and reference).

Only money still wholly unallocated is reversed: what was allocated settled invoices whose lettering is
never undone. The reversal posts, in the bank journal, 411 debit / 512 (530 for cash) credit, numbered
by the payment, and letters the payment's unallocated 411 line with it; the payment keeps its number
and entry, and `unallocated` is nothing from then on.
"""

import datetime

from django.db import transaction

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.accounting.models import EntryLine
from comptoir.core import audit, dates, permissions, rows
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer
from comptoir.payments import errors
from comptoir.payments.models import (
    OpeningAllocation,
    Payment,
    PaymentAllocation,
    PaymentReversal,
    PaymentWriteOff,
)
from comptoir.payments.registering import register_payment


def _locked(payment) -> Payment:
    pk = getattr(payment, "pk", payment)
    try:
        return Payment.objects.select_for_update().select_related("customer").get(pk=pk)
    except (Payment.DoesNotExist, TypeError, ValueError):
        raise NotFound(*errors.UNKNOWN_PAYMENT, value=pk) from None


def _reverse(payment: Payment, *, by, reason: str, date, replaced_by=None) -> PaymentReversal:
    if PaymentReversal.objects.filter(payment=payment).exists():
        _fail(errors.PAYMENT_ALREADY_REVERSED, number=payment.number)
    if not reason.strip():
        _fail(errors.PAYMENT_REVERSAL_NEEDS_REASON, number=payment.number)
    used = (
        PaymentAllocation.objects.filter(payment=payment).exists()
        or OpeningAllocation.objects.filter(payment=payment).exists()
        or PaymentWriteOff.objects.filter(payment=payment).exists()
    )
    if used:
        _fail(errors.PAYMENT_REVERSAL_ALLOCATED, number=payment.number)
    date = periods.check_business_date(
        date, follows=dates.follows(f"le règlement {payment.number}", payment.date)
    )
    label = f"Contre-passation {payment.number} {payment.customer.name}"
    bank = chart.CASH if payment.method == Payment.Method.CASH else chart.BANK
    entry, posted = ledger.post_entry(
        "BQ",
        date=date,
        label=label,
        document_number=payment.number,
        lines=[
            ledger.Line(chart.CUSTOMERS, debit=payment.amount, label=label, partner_id=payment.customer_id),
            ledger.Line(bank, credit=payment.amount, label=label),
        ],
    )
    reversal = rows.insert_one(
        PaymentReversal(
            payment=payment,
            date=date,
            reason=reason.strip()[:2000],
            entry=entry,
            replaced_by=replaced_by,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    credits = list(
        EntryLine.objects.filter(
            entry_id=payment.entry_id, account_id=ledger.account_id(chart.CUSTOMERS), credit__gt=0
        )
    )
    ledger.reconcile(ledger.carried_forward([*credits, posted[0]]), date=date)
    return reversal


@transaction.atomic
def reverse_payment(
    payment: Payment, *, by, reason: str, date: datetime.date | None = None
) -> PaymentReversal:
    """Cancel a payment left wholly unallocated (the same transfer entered twice) by a contra entry."""
    permissions.require(by, "payment.register")
    payment = _locked(payment)
    reversal = _reverse(payment, by=by, reason=reason, date=date)
    audit.record(
        "payment.reversed",
        by=by,
        obj=payment,
        data={"amount": payment.amount, "reason": reversal.reason, "entry": reversal.entry.seal},
    )
    return reversal


@transaction.atomic
def move_payment_to_customer(
    payment: Payment, customer: Customer, *, by, reason: str, allocations=()
) -> Payment:
    """A transfer booked on the wrong customer: registered on `customer` (same amount, method, date and
    reference, allocated as `allocations` say) and reversed on the first. Returns the new payment."""
    permissions.require(by, "payment.register")
    payment = _locked(payment)
    if payment.customer_id == customer.pk:
        _fail(errors.PAYMENT_MOVE_SAME_CUSTOMER, number=payment.number, customer=customer.name)
    moved = register_payment(
        customer,
        by=by,
        amount=payment.amount,
        method=payment.method,
        date=payment.date,
        reference=payment.reference,
        allocations=allocations,
    )
    reversal = _reverse(payment, by=by, reason=reason, date=None, replaced_by=moved)
    audit.record(
        "payment.moved",
        by=by,
        obj=payment,
        data={
            "from": payment.customer.name,
            "to": customer.name,
            "replaced_by": moved.number,
            "reason": reversal.reason,
            "entry": reversal.entry.seal,
        },
    )
    return moved
