"""Payments: post the bank entry, allocate to invoices, match the customer account (lettrage).

The verbs live in a module each — `registering` (a payment received), `allocating` (money to invoices,
lettering), `credit_notes` (a credit note applied or refunded) — and this module is the app's one door:
other apps and the API call `payments.services.<verb>`.
"""

from comptoir.payments.allocating import allocate_payment, allocated_totals, insert_payment, unallocated
from comptoir.payments.credit_notes import (
    apply_credit_note,
    credit_available_used,
    pending_refunds,
    refund_credit_note,
)
from comptoir.payments.registering import register_payment

__all__ = [
    "allocate_payment",
    "allocated_totals",
    "apply_credit_note",
    "credit_available_used",
    "insert_payment",
    "pending_refunds",
    "refund_credit_note",
    "register_payment",
    "unallocated",
]
