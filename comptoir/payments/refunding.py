"""Four eyes on refunds: above the refund threshold, the money leaves once another person approved it.

`services.refund_credit_note` pays a refund out at once while the refunds of the credit note, this one
included, stay within the company's refund threshold (`core.approvals`, set in the settings beside the
return rules): one person may pay small amounts back alone. Beyond it, the refund is asked for here
(`request_refund`, which reserves the amount on the credit note), and another person with the right to
register payments approves it, which pays it out through the same service, or refuses it. Whoever asked
never approves their own request.
"""

from django.db import transaction
from django.utils import timezone

from comptoir.billing.models import Invoice
from comptoir.core import approvals, audit, money, permissions, workflow
from comptoir.core.errors import DomainError
from comptoir.core.errors import fail as _fail
from comptoir.payments import allocating, errors, services
from comptoir.payments.models import Payment, Refund, RefundRequest

Status = RefundRequest.Status


def _euros(value) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


@transaction.atomic
def request_refund(
    credit_note: Invoice, *, by, method: str, amount=None, reference: str = ""
) -> RefundRequest:
    """Ask for a refund of a credit note (default: all it has left), to be approved by someone else."""
    permissions.require(by, "payment.register")
    credit_note = Invoice.objects.select_for_update().get(pk=credit_note.pk)
    if credit_note.kind != Invoice.Kind.CREDIT_NOTE or credit_note.status != Invoice.Status.ISSUED:
        _fail(errors.NOT_AN_ISSUED_CREDIT_NOTE, number=credit_note)
    if method not in Payment.Method.values:
        _fail(errors.INVALID_METHOD, value=method)
    left = (
        credit_note.total
        - services.credit_available_used(credit_note)
        - services.pending_refunds(credit_note)
    )
    if left <= 0:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(0))
    amount = allocating._amount(amount) if amount is not None else left
    if amount <= 0:
        _fail(errors.AMOUNT_NOT_POSITIVE)
    if amount > left:
        _fail(errors.CREDIT_EXCEEDED, number=credit_note.number, left=_euros(left))
    request = RefundRequest.objects.create(
        credit_note=credit_note,
        amount=amount,
        method=method,
        reference=(reference or "")[:80],
        requested_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(
        "refund.requested",
        by=by,
        obj=request,
        data={"credit_note": credit_note.number, "amount": amount, "method": method},
    )
    return request


def _lock(request: RefundRequest, target: str) -> RefundRequest:
    request = (
        RefundRequest.objects.select_for_update(of=("self",))
        .select_related("credit_note", "requested_by")
        .get(pk=request.pk)
    )
    workflow.require(RefundRequest.TRANSITIONS, request.status, target, document=str(request), labels=Status)
    return request


@transaction.atomic
def approve_refund(request: RefundRequest, *, by, date=None, reason: str = "") -> Refund:
    """Approve someone else's refund request and pay it out (dated `date`, default today)."""
    permissions.require(by, "payment.register")
    request = _lock(request, Status.APPROVED)
    approvals.require_other_person(
        request.requested_by_id, by, errors.REFUND_SAME_PERSON, number=request.credit_note.number
    )
    refund = services.refund_credit_note(
        request.credit_note,
        by=by,
        method=request.method,
        date=date,
        reference=request.reference,
        amount=request.amount,
        approval=request,
    )
    request.status = Status.APPROVED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = (reason or "").strip()
    request.refund = refund
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "refund"])
    audit.record(
        "refund.approved",
        by=by,
        obj=request,
        data={
            "credit_note": request.credit_note.number,
            "amount": request.amount,
            "refund": refund.number,
            "requested_by": request.requested_by.get_username() if request.requested_by_id else "",
            "reason": request.decision_reason,
        },
    )
    return refund


@transaction.atomic
def refuse_refund(request: RefundRequest, *, by, reason: str) -> RefundRequest:
    """Turn a refund request down (the amount is freed on the credit note), for a written reason."""
    permissions.require(by, "payment.register")
    reason = (reason or "").strip()
    if not reason:
        code, message = errors.REFUND_REFUSAL_REASON_REQUIRED
        raise DomainError(code, message)
    request = _lock(request, Status.REFUSED)
    request.status = Status.REFUSED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit.record(
        "refund.refused",
        by=by,
        obj=request,
        data={
            "credit_note": request.credit_note.number,
            "amount": request.amount,
            "requested_by": request.requested_by.get_username() if request.requested_by_id else "",
            "reason": reason,
        },
    )
    return request
