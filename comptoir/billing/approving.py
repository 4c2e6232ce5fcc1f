"""Four eyes on commercial gestures: above the gesture threshold, another person approves before issue.

A commercial gesture is a credit note without a return case: a category and the `credit_note.gesture`
permission are enough to draft one. Above the company's gesture threshold (`core.approvals`, set in the
settings beside the return rules) it cannot be issued until another person with that permission approved
it; below it, the person who drafted it issues it alone. A credit note citing a return case needs no such
approval here: the case was approved (by someone other than who opened it) and bounds what it credits.

The amount judged is the gesture's untaxed total plus the other gestures on the same invoice drafted
before it and not cancelled, so splitting a gesture in two does not get under the threshold. The set of
earlier gestures can only shrink once this one exists, so the judgement needs no lock and does not move
between the approval and the issue.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.billing import errors
from comptoir.billing.models import Invoice
from comptoir.core import approvals, audit, money, permissions, workflow
from comptoir.core.errors import Conflict, DomainError

ZERO = Decimal("0")


@dataclass(frozen=True)
class GestureApproval:
    """Where a credit note stands with the four-eyes rule on gestures."""

    required: bool
    cumulated: Decimal
    threshold: Decimal
    # Numbers (or draft labels) of the earlier gestures on the same invoice counted in `cumulated`.
    others: list[str] = field(default_factory=list)
    approved_by: object = None

    @property
    def pending(self) -> bool:
        return self.required and self.approved_by is None


def _euros(value: Decimal) -> str:
    return f"{money.amount(value):.2f} €".replace(".", ",")


def is_gesture(note: Invoice) -> bool:
    return note.kind == Invoice.Kind.CREDIT_NOTE and bool(note.gesture_category) and not note.source_reference


def gesture_approval(note: Invoice) -> GestureApproval | None:
    """None for anything but a commercial gesture."""
    if not is_gesture(note):
        return None
    earlier = list(
        Invoice.objects.filter(
            kind=Invoice.Kind.CREDIT_NOTE, corrects_id=note.corrects_id, source_reference="", pk__lt=note.pk
        )
        .exclude(gesture_category="")
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("pk")
    )
    threshold = approvals.thresholds().gesture_threshold
    cumulated = note.total_untaxed + sum((other.total_untaxed for other in earlier), ZERO)
    return GestureApproval(
        required=cumulated > threshold,
        cumulated=cumulated,
        threshold=threshold,
        others=[str(other) for other in earlier],
        approved_by=note.approved_by if note.approved_by_id else None,
    )


APPROVAL_REQUIRED = errors.GESTURE_APPROVAL_REQUIRED[0]


def require_approved(note: Invoice) -> None:
    """Refuse to issue a gesture above the threshold that nobody else approved (issue_invoice asks)."""
    state = gesture_approval(note)
    if state is None or not state.pending:
        return
    others = f" (avec {', '.join(state.others)})" if state.others else ""
    code, message = errors.GESTURE_APPROVAL_REQUIRED
    raise Conflict(
        code,
        message,
        number=str(note),
        cumulated=_euros(state.cumulated),
        invoice=note.corrects.number,
        others=others,
        threshold=_euros(state.threshold),
    )


def _lock_gesture_draft(note: Invoice) -> Invoice:
    note = Invoice.objects.select_for_update(of=("self",)).select_related("corrects").get(pk=note.pk)
    if not is_gesture(note) or note.status != Invoice.Status.DRAFT:
        code, message = errors.NOT_A_GESTURE_DRAFT
        raise Conflict(code, message, number=str(note))
    return note


@transaction.atomic
def approve_credit_note(note: Invoice, *, by, reason: str = "") -> Invoice:
    """Approve a commercial gesture someone else drafted, so that it can be issued (four eyes)."""
    permissions.require(by, "credit_note.gesture")
    note = _lock_gesture_draft(note)
    if note.approved_by_id is not None:
        code, message = errors.GESTURE_ALREADY_APPROVED
        raise Conflict(code, message, number=str(note), by=note.approved_by.get_username())
    approvals.require_other_person(
        note.created_by_id, by, errors.GESTURE_APPROVAL_SAME_PERSON, number=str(note)
    )
    state = gesture_approval(note)
    note.approved_by = by
    note.approved_at = timezone.now()
    note.save(update_fields=["approved_by", "approved_at"])
    audit.record(
        "credit_note.approved",
        by=by,
        obj=note,
        data={
            "invoice": note.corrects.number,
            "total_untaxed": note.total_untaxed,
            "cumulated": state.cumulated,
            "threshold": state.threshold,
            "requested_by": note.created_by.get_username() if note.created_by_id else "",
            "reason": (reason or "").strip(),
        },
    )
    return note


@transaction.atomic
def refuse_credit_note(note: Invoice, *, by, reason: str) -> Invoice:
    """Turn a commercial gesture down before its issue: the draft is cancelled, the reason kept."""
    permissions.require(by, "credit_note.gesture")
    reason = (reason or "").strip()
    if not reason:
        code, message = errors.GESTURE_REFUSAL_REASON_REQUIRED
        raise DomainError(code, message)
    note = _lock_gesture_draft(note)
    workflow.require(
        Invoice.TRANSITIONS, note.status, Invoice.Status.CANCELLED, document=str(note), labels=Invoice.Status
    )
    note.status = Invoice.Status.CANCELLED
    note.save(update_fields=["status"])
    audit.record(
        "credit_note.refused",
        by=by,
        obj=note,
        data={
            "invoice": note.corrects.number,
            "total_untaxed": note.total_untaxed,
            "requested_by": note.created_by.get_username() if note.created_by_id else "",
            "reason": reason,
        },
    )
    return note
