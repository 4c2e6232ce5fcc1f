"""Invoicing: draft from what was delivered (or ordered, for services), then issue.

Issuing is the legal act: it takes the next number of the series, freezes the invoice (totals, the
buyer as they are today) and posts the sales-journal entry, all in one transaction.

The verbs live in a module each by what they do — `drafting` (drafts and their corrections),
`milestones` (the steps of a billing schedule), `issuing`, `credit_notes` — and this module is the
app's one door: other apps and the API call `billing.services.<verb>`.
"""

from comptoir.billing.credit_notes import create_credit_note, credit_room, credited_so_far
from comptoir.billing.drafting import (
    cancel_draft_invoice,
    correct_draft_line,
    create_invoice_from_order,
    deduct_deposits_on_draft,
    invoiceable_lines,
    set_service_period,
)
from comptoir.billing.issuing import early_discount_terms, issue_invoice
from comptoir.billing.milestones import create_milestone_invoice

__all__ = [
    "cancel_draft_invoice",
    "correct_draft_line",
    "create_credit_note",
    "create_invoice_from_order",
    "create_milestone_invoice",
    "credit_room",
    "credited_so_far",
    "deduct_deposits_on_draft",
    "early_discount_terms",
    "invoiceable_lines",
    "issue_invoice",
    "set_service_period",
]
