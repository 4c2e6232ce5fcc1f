"""Consistency checks along the chain quote → order → delivery → invoice → payment. Pure.

The checks live by topic in this package (`deliveries`, `products`, `vat`, `billing`, `returns`,
`payments`, `dates`, `margin`, `master_data`, `habits`; `_common` holds the evidence and wording helpers); `CHECKS` below assembles them, and every
check stays importable from `comptoir.assistant.checks`.

Each check is a small function `(chain) -> list[Finding]` registered in `CHECKS`; it never raises for a
business problem and never reads the database (`assistant.snapshots` builds the chain). Checks report
on `chain.subjects()` — the focus invoice, or every live invoice of an order — plus the order-level facts
(deliveries, quote) of the chain.

Severities, and why:

- **blocking**, only on a *draft* invoice, for what must not be issued: it bills more than was delivered
  (`invoice_qty_exceeds_delivered`), it bills goods another invoice already bills
  (`delivery_invoiced_twice`), or its VAT does not follow the product and the customer
  (`invoice_vat_inconsistent`, `reverse_charge_without_eu_vat_number`). An issued invoice cannot be
  taken back, so these are what the gate at issue (`assistant.blocking`) refuses, unless someone
  allowed overrides them with a reason. The first two on an issued invoice are warnings that propose
  the credit note; VAT is checked on drafts only, because the customer's regime or a product's rate
  may change after an invoice was issued right.
- **warning**, a likely mistake a person should look at, that neither double-bills nor breaks VAT law:
  a price or discount other than agreed, a product reference that changed, delivered quantities left
  off an invoice, an invoiced line with no delivery, a deposit not deducted from the closing invoice,
  a probable duplicate, a customer's VAT regime that does not fit its country (an EU company set up as
  "export"), a 0 % line without an exemption reason, a draft whose buyer lacks its SIREN or address
  (the issue refuses the first: said on the draft, with what to fill in), a credit note beyond its return case, or compensating goods its case already
  replaced, or before the goods the rules want back are back, or citing another customer's case, a
  payment matching no open invoice.
- **info**, normal progress that calls for the next step: delivered goods not invoiced yet, an order
  shipped short with nothing planned for the rest, a payment on account that matches open invoices, an
  order keyed without a quote that carries the products of a quote still open.
"""

from comptoir.assistant.chain import Chain
from comptoir.assistant.checks._common import (
    CENT,
    DUPLICATE_WINDOW_DAYS,
    MAX_COMBINATION,
    MAX_OPEN_ITEMS,
    PAYMENT_TWIN_DAYS,
    ZERO,
)
from comptoir.assistant.checks.billing import (
    check_deposit_deducted,
    check_duplicate_invoice,
)
from comptoir.assistant.checks.dates import check_delivery_dates
from comptoir.assistant.checks.deliveries import (
    check_delivered_not_invoiced,
    check_delivered_vs_ordered,
    check_delivery_invoiced_twice,
    check_invoice_exceeds_delivered,
    check_invoice_line_not_delivered,
    check_invoice_misses_delivered,
)
from comptoir.assistant.checks.habits import check_order_against_habits, check_payment_late_against_habit
from comptoir.assistant.checks.margin import check_sale_below_cost
from comptoir.assistant.checks.master_data import check_buyer_details
from comptoir.assistant.checks.payments import (
    check_invoice_small_balance,
    check_payment_allocated_elsewhere,
    check_payment_matches_open_items,
    matching_combination,
)
from comptoir.assistant.checks.products import (
    check_invoice_prices,
    check_order_answers_open_quote,
    check_order_prices_vs_quote,
    check_product_changes,
)
from comptoir.assistant.checks.returns import (
    check_credit_note_against_case_settlement,
    check_credit_note_within_return,
)
from comptoir.assistant.checks.vat import (
    check_customer_vat_regime,
    check_reverse_charge_vat_number,
    check_vat_follows_product_and_customer,
    check_zero_rate_without_exemption,
)
from comptoir.assistant.findings import Finding

# --- The registry ---------------------------------------------------------------------------------

CHECKS = [
    check_delivered_vs_ordered,
    check_invoice_exceeds_delivered,
    check_delivery_invoiced_twice,
    check_invoice_misses_delivered,
    check_delivered_not_invoiced,
    check_invoice_line_not_delivered,
    check_product_changes,
    check_invoice_prices,
    check_order_prices_vs_quote,
    check_order_answers_open_quote,
    check_reverse_charge_vat_number,
    check_vat_follows_product_and_customer,
    check_customer_vat_regime,
    check_zero_rate_without_exemption,
    check_buyer_details,
    check_deposit_deducted,
    check_duplicate_invoice,
    check_credit_note_within_return,
    check_credit_note_against_case_settlement,
    check_payment_matches_open_items,
    check_payment_allocated_elsewhere,
    check_invoice_small_balance,
    check_delivery_dates,
    check_sale_below_cost,
    check_order_against_habits,
    check_payment_late_against_habit,
]

# The checks that can block an invoice. The gate at issue runs only these, over a chain that holds the
# invoice, the delivery lines it bills and the other invoice lines on them (assistant.blocking).
ISSUE_CHECKS = [
    check_invoice_exceeds_delivered,
    check_delivery_invoiced_twice,
    check_reverse_charge_vat_number,
    check_vat_follows_product_and_customer,
]


def run(chain: Chain, checks=None) -> list[Finding]:
    findings = []
    for check in CHECKS if checks is None else checks:
        findings.extend(check(chain))
    return findings


__all__ = [
    "CHECKS",
    "ISSUE_CHECKS",
    "run",
    "ZERO",
    "CENT",
    "DUPLICATE_WINDOW_DAYS",
    "MAX_COMBINATION",
    "MAX_OPEN_ITEMS",
    "check_delivered_vs_ordered",
    "check_invoice_exceeds_delivered",
    "check_delivery_invoiced_twice",
    "check_invoice_misses_delivered",
    "check_delivered_not_invoiced",
    "check_invoice_line_not_delivered",
    "check_product_changes",
    "check_invoice_prices",
    "check_order_prices_vs_quote",
    "check_order_answers_open_quote",
    "check_reverse_charge_vat_number",
    "check_vat_follows_product_and_customer",
    "check_customer_vat_regime",
    "check_zero_rate_without_exemption",
    "check_buyer_details",
    "check_deposit_deducted",
    "check_duplicate_invoice",
    "check_credit_note_within_return",
    "check_credit_note_against_case_settlement",
    "matching_combination",
    "check_payment_matches_open_items",
    "check_payment_allocated_elsewhere",
    "check_invoice_small_balance",
    "check_delivery_dates",
    "check_sale_below_cost",
    "check_order_against_habits",
    "check_payment_late_against_habit",
    "PAYMENT_TWIN_DAYS",
]
