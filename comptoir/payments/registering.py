"""Registering a payment received: the bank entry (512 / 411), its allocation to the invoices it pays,
the early-payment discount granted when it came in time, and the VAT on receipts it makes due.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.billing import discounting
from comptoir.billing.models import Invoice, InvoiceTax
from comptoir.core import audit, numbering, permissions
from comptoir.core.errors import fail as _fail
from comptoir.parties.models import Customer
from comptoir.parties.selectors import number_prefix
from comptoir.payments import errors
from comptoir.payments.allocating import (
    _after_invoices,
    _allocation_lines,
    _amount,
    _euros,
    _lock_payable,
    _record_allocations,
    _vat_releases,
    _wanted,
    insert_payment,
)
from comptoir.payments.models import (
    Payment,
)

ZERO = Decimal("0")


@transaction.atomic
def register_payment(
    customer: Customer,
    *,
    by,
    amount,
    method: str,
    date: datetime.date | None = None,
    reference: str = "",
    allocations=(),
) -> Payment:
    """Record money received and allocate it to invoices, partly or fully.

    `allocations` is a list of {"invoice": Invoice or id, "amount": …}. What is not allocated stays
    on the customer's account as a credit. Posting: 512 debit / 411 credit, one 411 line per invoice
    so that each fully paid invoice is lettered with exactly the lines that settle it.
    """
    permissions.require(by, "payment.register")
    amount = _amount(amount)
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    wanted = _wanted(allocations)
    allocated = sum((a for _, a in wanted), ZERO)
    if allocated > amount:
        _fail(errors.OVER_ALLOCATED, allocated=_euros(allocated), amount=_euros(amount))
    invoices, already = _lock_payable(customer, wanted)
    # Money may come before a deposit invoice (a prepayment, which the deposit invoice then records);
    # any other invoice it settles was issued first.
    date = periods.check_business_date(
        date, follows=_after_invoices(i for i in invoices.values() if i.kind != Invoice.Kind.DEPOSIT)
    )
    number = numbering.next_number(number_prefix("payment_series"), date.year)
    label = f"Règlement {number} {customer.name}"
    bank = chart.CASH if method == Payment.Method.CASH else chart.BANK
    discounts = _early_discounts(invoices, wanted, already, date)
    # The discount settles the rest of the invoice: the VAT waiting for its cash is released in full.
    settling = {**already, **{i: already.get(i, ZERO) + d.total for i, d in discounts.items()}}
    releases = _vat_releases(invoices, wanted, settling)
    allocation_lines = _allocation_lines(customer, label, wanted, invoices, releases)
    entry_lines = [ledger.Line(bank, debit=amount, label=label), *allocation_lines[: len(wanted)]]
    if amount > allocated:
        entry_lines.append(
            ledger.Line(
                chart.CUSTOMERS,
                credit=amount - allocated,
                label=f"{label} — non affecté",
                partner_id=customer.pk,
            )
        )
    entry_lines.extend(allocation_lines[len(wanted) :])
    discount_at = {}
    for invoice_id, discount in discounts.items():
        discount_at[invoice_id] = len(entry_lines)
        entry_lines.extend(_early_discount_lines(customer, invoices[invoice_id], discount))
    entry, posted = ledger.post_entry("BQ", date=date, label=label, document_number=number, lines=entry_lines)
    payment = insert_payment(number, customer, date, method, reference, amount, entry, by)
    _record_allocations(
        payment,
        wanted,
        invoices,
        already,
        releases,
        posted[1 : 1 + len(wanted)],
        date=date,
        discounts={i: (d, posted[discount_at[i]]) for i, d in discounts.items()},
    )
    audit.record(
        "payment.registered",
        by=by,
        obj=payment,
        data={
            "amount": amount,
            "method": method,
            "date": date.isoformat(),
            "allocations": {invoices[i].number: a for i, a in wanted},
            "entry": entry.seal,
        }
        | (
            {"early_discounts": {invoices[i].number: d.total for i, d in discounts.items()}}
            if discounts
            else {}
        ),
    )
    return payment


def _early_discounts(invoices, wanted, already, date) -> dict[int, discounting.EarlyDiscount]:
    """The invoices this payment settles with their early-payment discount: nothing settled them before,
    the money comes by the deadline (its date) and is exactly the amount payable less the discount."""
    candidates = [
        (i, a)
        for i, a in wanted
        if invoices[i].early_discount_until is not None
        and not already.get(i)
        and date <= invoices[i].early_discount_until
    ]
    if not candidates:
        return {}
    breakdown: dict[int, list] = {}
    for tax in InvoiceTax.objects.filter(invoice_id__in=[i for i, _ in candidates]):
        breakdown.setdefault(tax.invoice_id, []).append((tax.vat_rate, tax.category, tax.base))
    found = {}
    for invoice_id, alloc_amount in candidates:
        invoice = invoices[invoice_id]
        discount = discounting.early_discount(breakdown.get(invoice_id, []), invoice.early_discount_percent)
        if discounting.applies(
            until=invoice.early_discount_until,
            paid_on=date,
            amount=alloc_amount,
            due=invoice.amount_payable,
            discount=discount,
        ):
            found[invoice_id] = discount
    return found


def _early_discount_lines(customer, invoice: Invoice, discount: discounting.EarlyDiscount) -> list:
    """411 credit for the discount (first: it is lettered with the invoice), 665 debit per VAT rate for
    its part excl. VAT, 44571 debit for its VAT."""
    label = f"Escompte {invoice.number}"
    lines = [ledger.Line(chart.CUSTOMERS, credit=discount.total, label=label, partner_id=customer.pk)]
    for part in discount.parts:
        lines.append(
            ledger.Line(chart.EARLY_PAYMENT_DISCOUNTS, debit=part.base, label=label, vat_rate=part.rate)
        )
        if part.vat:
            lines.append(ledger.Line(chart.VAT_COLLECTED, debit=part.vat, label=label, vat_rate=part.rate))
    return lines
