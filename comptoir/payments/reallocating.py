"""Moving money allocated to the wrong invoice onto the right one of the same customer (the transfer
named invoice 1, it was allocated to invoice 2).

Nothing is changed or deleted: a contra allocation (negative, `PaymentAllocation.reverses`) takes the
first allocation back and a new allocation sets the money against the right invoice, both in one OD
entry numbered by the payment — 411 debit (the wrong invoice's debt opened again; an open item that
keeps it among the unsettled invoices though its own lines stay lettered, a letter being never undone)
and 411 credit for the right invoice (lettered with it when that settles it). When the wrong invoice is
paid later, its new debit is lettered with the money that settles it (`allocating._letter_settled_invoices`).
"""

import datetime

from django.db import transaction

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.billing.models import Invoice
from comptoir.core import audit, dates, permissions, rows
from comptoir.core.errors import NotFound
from comptoir.core.errors import fail as _fail
from comptoir.payments import errors
from comptoir.payments.allocating import (
    _after_invoices,
    _allocation_lines,
    _lock_payable,
    _record_allocations,
    _vat_releases,
)
from comptoir.payments.models import Payment, PaymentAllocation, VatRelease


@transaction.atomic
def reallocate_payment(
    payment: Payment, *, from_invoice, to_invoice, by, date: datetime.date | None = None
) -> PaymentAllocation:
    """Take the payment's allocation to `from_invoice` back and set it against `to_invoice` (same
    customer, owing at least as much). Returns the new allocation."""
    permissions.require(by, "payment.register")
    try:
        payment = Payment.objects.select_for_update().select_related("customer").get(pk=payment.pk)
    except Payment.DoesNotExist:
        raise NotFound(*errors.UNKNOWN_PAYMENT, value=payment.pk) from None
    from_id, to_id = getattr(from_invoice, "pk", from_invoice), getattr(to_invoice, "pk", to_invoice)
    wrong = (
        PaymentAllocation.objects.select_related("invoice")
        .filter(payment=payment, invoice_id=from_id, reverses__isnull=True, reversed_by__isnull=True)
        .first()
    )
    if wrong is None:
        _fail(errors.REALLOCATION_NOTHING, number=payment.number)
    if from_id == to_id:
        _fail(errors.REALLOCATION_SAME_INVOICE, number=wrong.invoice.number)
    if VatRelease.objects.filter(allocation=wrong).exists():
        # The VAT that allocation made due would have to wait for cash again: left to accounting.
        _fail(errors.REALLOCATION_VAT_RELEASED, number=wrong.invoice.number)
    if PaymentAllocation.objects.filter(payment=payment, invoice_id=to_id, reverses__isnull=True).exists():
        _fail(errors.DUPLICATE_INVOICE, number=to_id)
    customer = payment.customer
    wanted = [(to_id, wrong.amount)]
    invoices, already = _lock_payable(customer, wanted)
    Invoice.objects.select_for_update().filter(pk=from_id).first()
    target = invoices[to_id]
    date = periods.check_business_date(
        date,
        follows=[
            *dates.follows(f"le règlement {payment.number}", payment.date),
            *_after_invoices([wrong.invoice, target]),
        ],
    )
    label = f"Réaffectation {payment.number} {wrong.invoice.number} → {target.number}"
    releases = _vat_releases(invoices, wanted, already)
    lines = [
        ledger.Line(chart.CUSTOMERS, debit=wrong.amount, label=label, partner_id=customer.pk),
        *_allocation_lines(customer, label, wanted, invoices, releases),
    ]
    entry, posted = ledger.post_entry(
        "OD", date=date, label=label, document_number=payment.number, lines=lines
    )
    rows.insert_one(
        PaymentAllocation(
            payment=payment, invoice_id=from_id, amount=-wrong.amount, entry_line=posted[0], reverses=wrong
        )
    )
    _record_allocations(payment, wanted, invoices, already, releases, posted[1:2], date=date)
    audit.record(
        "payment.reallocated",
        by=by,
        obj=payment,
        data={
            "from": wrong.invoice.number,
            "to": target.number,
            "amount": wrong.amount,
            "entry": entry.seal,
        },
    )
    return PaymentAllocation.objects.get(payment=payment, invoice_id=to_id, reverses__isnull=True)
