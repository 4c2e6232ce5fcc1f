"""Return cases: declare a discrepancy, decide, receive the goods back, resolve, close.

Each verb runs in one transaction, checks the caller's permission, locks the case row before reading
its state (two people clicking « Approuver » at once approve once), writes one audit event with the
reason, and calls stock, billing and payments explicitly for the documents a decision produces.

Quantities a case line may still use are derived, never stored:
- settled = credited + replaced (resolution lines of those kinds, and the lines of credit notes entered in
  billing that cite the case, `selectors.direct_credits`) ≤ the line's quantity, where "credited"
  counts the units a credit note took back — a price reduction takes none back;
- credited ≤ received back, for reasons where goods come back (policy rule, on by default);
- re-invoiced ≤ the line's quantity (a separate budget: it bills the customer, it does not settle a claim);
  for a surplus, re-invoiced (kept) + received back ≤ the line's quantity.
Amounts, like quantities, are derived: what credit notes gave on a line never exceeds its amount, and units
taken back after a price reduction are credited at the price left (`billing.crediting`).

The services that produce documents take the business date of the action (`date=`, default today, never
in the future): the case's number and opening time, the credit note's date, the replacement's delivery
note, the stock moves, and the time the resolution is stamped with.

The verbs live in a module each — `cases` (open to close, the policy), `receiving` (goods back),
`resolving` (credit note, replacement, re-invoice, refusal) — and this module is the app's one door:
other apps and the API call `returns.services.<verb>`.
"""

from comptoir.returns.cases import (
    add_attachment,
    approve_case,
    assert_delivery_invoiceable,
    close_case,
    lift_block,
    open_case,
    reject_case,
    submit_case,
    update_policy,
)
from comptoir.returns.receiving import receive_goods
from comptoir.returns.resolving import (
    refuse,
    resolve_with_credit_note,
    resolve_with_reinvoice,
    resolve_with_replacement,
)

__all__ = [
    "add_attachment",
    "approve_case",
    "assert_delivery_invoiceable",
    "close_case",
    "lift_block",
    "open_case",
    "receive_goods",
    "refuse",
    "reject_case",
    "resolve_with_credit_note",
    "resolve_with_reinvoice",
    "resolve_with_replacement",
    "submit_case",
    "update_policy",
]
