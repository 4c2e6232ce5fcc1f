"""Payments: post the bank entry, allocate to invoices, match the customer account (lettrage).

The verbs live in a module each — `registering` (a payment received), `allocating` (money to invoices,
lettering), `credit_notes` (a credit note applied or refunded), `writing_off` (a small payment gap to
658 / 758), `reversing` (a payment cancelled by a contra entry, or moved to the right customer), `reallocating`
(money allocated to the wrong invoice moved to the right one) — and
this module is the app's one door:
other apps and the API call `payments.services.<verb>`.
"""

from comptoir.payments.allocating import allocate_payment, allocated_totals, insert_payment, unallocated
from comptoir.payments.credit_notes import (
    apply_credit_note,
    credit_available_used,
    pending_refunds,
    refund_credit_note,
)
from comptoir.payments.reallocating import reallocate_payment
from comptoir.payments.registering import register_payment
from comptoir.payments.reversing import move_payment_to_customer, reverse_payment
from comptoir.payments.writing_off import write_off_payment_gap, write_off_threshold

__all__ = [
    "allocate_payment",
    "allocated_totals",
    "apply_credit_note",
    "credit_available_used",
    "insert_payment",
    "move_payment_to_customer",
    "pending_refunds",
    "reallocate_payment",
    "refund_credit_note",
    "register_payment",
    "reverse_payment",
    "unallocated",
    "write_off_payment_gap",
    "write_off_threshold",
]
