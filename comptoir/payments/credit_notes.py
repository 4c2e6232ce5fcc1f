"""Credit notes as money: applied to the customer's open invoices, or refunded (within the refund
threshold; above it through `refunding`'s four eyes).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from comptoir.accounting import chart, periods
from comptoir.accounting import services as ledger
from comptoir.billing.models import Invoice
from comptoir.core import approvals, audit, money, numbering, permissions, rows
from comptoir.core.errors import PermissionDenied
from comptoir.core.errors import fail as _fail
from comptoir.parties.selectors import number_prefix
from comptoir.payments import errors
from comptoir.payments.allocating import (
    _after_invoices,
    _amount,
    _euros,
    _letter_settled_invoices,
    _vat_releases,
    allocated_totals,
)
from comptoir.payments.models import (
    CreditApplication,
    Payment,
    Refund,
    RefundRequest,
    VatRelease,
)

ZERO = Decimal("0")


@transaction.atomic
def apply_credit_note(
    credit_note: Invoice, invoice: Invoice, *, by, amount=None, date=None
) -> CreditApplication:
    """Deduct an issued credit note from an issued invoice of the same customer (the customer pays
    less). Without an amount, applies as much as both allow."""
    permissions.require(by, "payment.register")
    locked = {
        inv.pk: inv
        for inv in Invoice.objects.select_for_update()
        .filter(pk__in=[credit_note.pk, invoice.pk])
        .order_by("pk")
    }
    credit_note, invoice = locked[credit_note.pk], locked[invoice.pk]
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.ISSUED:
        _fail(errors.NOT_AN_ISSUED_CREDIT_NOTE, number=credit_note)
    if invoice.kind == Invoice.Kind.CREDIT_NOTE or invoice.status != Invoice.Status.ISSUED:
        _fail(errors.INVOICE_NOT_ISSUED, number=invoice, state=invoice.get_status_display())
    if invoice.customer_id != credit_note.customer_id:
        _fail(errors.OTHER_CUSTOMER, number=invoice.number)
    date = periods.check_business_date(date, follows=_after_invoices([credit_note, invoice]))
    credit_left = credit_note.total - credit_available_used(credit_note)
    due = invoice.amount_payable - allocated_totals([invoice.pk]).get(invoice.pk, ZERO)
    amount = _amount(amount) if amount is not None else min(credit_left, due)
    if amount <= 0:
        _fail(errors.ALLOCATION_NOT_POSITIVE)
    if amount > credit_left:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(credit_left))
    if amount > due:
        _fail(errors.ALLOCATION_EXCEEDS_DUE, number=invoice.number, due=_euros(due), amount=_euros(amount))
    already = allocated_totals([invoice.pk])
    application = rows.insert_one(
        CreditApplication(
            credit_note=credit_note,
            invoice=invoice,
            amount=amount,
            date=date,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    # A credit note applied to the invoice it corrects cashes nothing: its VAT was reversed where the
    # invoice's VAT sat when it was issued. Applied to another invoice, it settles it as money would.
    releases = _vat_releases(
        {invoice.pk: invoice}, [(invoice.pk, amount)], already, cash=credit_note.corrects_id != invoice.pk
    )
    entry = None
    if releases:
        label = f"TVA encaissée {invoice.number} (avoir {credit_note.number})"
        entry, _ = ledger.post_entry(
            "OD",
            date=date,
            label=label,
            document_number=credit_note.number,
            lines=[
                line
                for (_, rate), moved in releases.items()
                for line in (
                    ledger.Line(chart.VAT_PENDING, debit=moved, label=label, vat_rate=rate),
                    ledger.Line(chart.VAT_COLLECTED, credit=moved, label=label, vat_rate=rate),
                )
            ],
        )
        rows.insert_many(
            [
                VatRelease(credit_application=application, invoice=invoice, vat_rate=rate, amount=moved)
                for (_, rate), moved in releases.items()
            ]
        )
    if already.get(invoice.pk, ZERO) + amount == invoice.amount_payable:
        _letter_settled_invoices([invoice], date=date)
    audit.record(
        "credit_note.applied",
        by=by,
        obj=credit_note,
        data={"invoice": invoice.number, "amount": amount} | ({"entry": entry.seal} if entry else {}),
    )
    return application


def credit_available_used(credit_note: Invoice) -> Decimal:
    """How much of a credit note has already been applied to invoices or refunded."""
    applied = money.amount(
        CreditApplication.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    refunded = money.amount(
        Refund.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    return applied + refunded


def pending_refunds(credit_note: Invoice, *, exclude=None) -> Decimal:
    """What refund requests still waiting for approval reserve on a credit note."""
    pending = RefundRequest.objects.filter(credit_note=credit_note, status=RefundRequest.Status.PENDING)
    if exclude is not None:
        pending = pending.exclude(pk=exclude.pk)
    return money.amount(pending.aggregate(s=Sum("amount"))["s"] or ZERO)


@transaction.atomic
def refund_credit_note(
    credit_note: Invoice,
    *,
    by,
    method: str,
    date=None,
    reference: str = "",
    amount=None,
    approval: RefundRequest | None = None,
) -> Refund:
    """Pay the customer back what a credit note owes them: 411 debit / 512 credit.

    Four eyes: when the refunds of the credit note, this one included, exceed the refund threshold, the
    money leaves only through `refunding.approve_refund`, which passes the `approval` (the request another
    person approved); otherwise the refund is refused with `refund_approval_required`."""
    permissions.require(by, "payment.register")
    credit_note = Invoice.objects.select_for_update().get(pk=credit_note.pk)
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.ISSUED:
        _fail(errors.NOT_AN_ISSUED_CREDIT_NOTE, number=credit_note)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    left = (
        credit_note.total
        - credit_available_used(credit_note)
        - pending_refunds(credit_note, exclude=approval)
    )
    if left <= 0:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(ZERO))
    amount = _amount(amount) if amount is not None else left
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if amount > left:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(left))
    _require_refund_approval(credit_note, amount, by=by, approval=approval)
    date = periods.check_business_date(date, follows=_after_invoices([credit_note]))
    number = numbering.next_number(number_prefix("refund_series"), date.year)
    label = f"Remboursement {number} avoir {credit_note.number}"
    bank = chart.CASH if method == Payment.Method.CASH else chart.BANK
    entry, _ = ledger.post_entry(
        "BQ",
        date=date,
        label=label,
        document_number=number,
        lines=[
            ledger.Line(chart.CUSTOMERS, debit=amount, label=label, partner_id=credit_note.customer_id),
            ledger.Line(bank, credit=amount, label=label),
        ],
    )
    refund = rows.insert_one(
        Refund(
            number=number,
            credit_note=credit_note,
            amount=amount,
            method=method,
            date=date,
            reference=reference[:80],
            entry=entry,
            created_by=by if getattr(by, "pk", None) else None,
        )
    )
    audit.record(
        "credit_note.refunded",
        by=by,
        obj=credit_note,
        data={"refund": number, "amount": amount, "method": method, "entry": entry.seal},
    )
    return refund


def _require_refund_approval(credit_note: Invoice, amount: Decimal, *, by, approval) -> None:
    """The refunds of a credit note are cumulated, so that splitting one does not get under the threshold."""
    if approval is not None:
        if (approval.credit_note_id, approval.amount, approval.status) != (
            credit_note.pk,
            amount,
            RefundRequest.Status.PENDING,
        ):
            raise ValueError("the approval does not match this refund")
        approvals.require_other_person(
            approval.requested_by_id, by, errors.REFUND_SAME_PERSON, number=credit_note.number
        )
        return
    refunded = money.amount(
        Refund.objects.filter(credit_note=credit_note).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    threshold = approvals.thresholds().refund_threshold
    if refunded + amount > threshold:
        code, message = errors.REFUND_APPROVAL_REQUIRED
        raise PermissionDenied(
            code,
            message,
            amount=_euros(refunded + amount),
            number=credit_note.number,
            threshold=_euros(threshold),
        )
