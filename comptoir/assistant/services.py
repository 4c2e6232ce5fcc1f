"""The assistant's actions: findings for a document, and overriding what blocks an invoice.

Findings are computed on demand from a snapshot of the chain (`selectors`) by the pure checks
(`checks.CHECKS`); nothing is stored but the decisions people take about them.
"""

from django.db import transaction

from comptoir.assistant import checks, errors, selectors
from comptoir.assistant.findings import Finding, by_severity
from comptoir.assistant.models import FindingOverride
from comptoir.billing.models import Invoice
from comptoir.core import audit, permissions
from comptoir.core.errors import Conflict
from comptoir.core.errors import fail as _fail
from comptoir.sales.models import Order


def findings_for_invoice(invoice: Invoice) -> list[Finding]:
    """What is inconsistent about an invoice or credit note along its chain, most serious first (nothing
    for a cancelled draft)."""
    chain = selectors.chain_for_invoice(invoice)
    if not chain.focus_invoice.is_live:
        return []
    return by_severity(checks.run(chain))


def findings_for_order(order: Order) -> list[Finding]:
    """What is inconsistent along an order's cycle (its deliveries and all its invoices)."""
    return by_severity(checks.run(selectors.chain_for_order(order)))


@transaction.atomic
def override_blocking(invoice: Invoice, *, by, reason: str) -> FindingOverride:
    """Let a draft invoice be issued despite its blocking findings, for a written reason (audited).

    The override records the codes blocking now; if other blocking findings appear before the invoice
    is issued, they block again.
    """
    permissions.require(by, "assistant.override")
    # Locking the draft: an issue running at the same time sees the override or none of it.
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    label = invoice.number or f"brouillon n° {invoice.pk}"
    reason = (reason or "").strip()
    if not reason:
        _fail(errors.OVERRIDE_REASON_REQUIRED, invoice=label)
    if invoice.status != Invoice.Status.DRAFT:
        raise Conflict(*errors.OVERRIDE_NOT_DRAFT, invoice=label)
    blocking = [finding for finding in findings_for_invoice(invoice) if finding.is_blocking]
    if not blocking:
        raise Conflict(*errors.NOTHING_TO_OVERRIDE, invoice=label)
    codes = sorted({finding.code for finding in blocking})
    override = FindingOverride.objects.create(
        invoice=invoice,
        codes=codes,
        findings=[finding.as_dict() for finding in blocking],
        reason=reason,
        by=by,
    )
    audit.record(
        "assistant.override",
        by=by,
        obj=invoice,
        object_repr=label,
        data={"codes": codes, "reason": reason, "findings": [finding.message for finding in blocking]},
    )
    return override
