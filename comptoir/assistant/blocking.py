"""The gate at issue: a draft invoice with blocking findings is not issued, unless someone allowed has
overridden them with a written reason (`assistant.services.override_blocking`).

`billing.services.issue_invoice` calls `refuse_if_blocked` before it takes a number. This is the one call
from billing into the assistant, so this module imports only models, the snapshot builder and the pure
checks — never a service that could call billing back. It costs one query on the way through (the
other invoice lines on the same delivery lines), one more only when something blocks.
"""

from django.utils.translation import gettext

from comptoir.assistant import checks, errors, snapshots
from comptoir.assistant.findings import Finding
from comptoir.assistant.models import FindingOverride
from comptoir.billing.models import Invoice
from comptoir.core.errors import Conflict


def blocking_findings(invoice: Invoice, lines) -> list[Finding]:
    """The blocking findings of a draft, from the rows the caller already holds (see
    `snapshots.chain_for_issue` for what they must carry)."""
    chain = snapshots.chain_for_issue(invoice, lines)
    return [finding for finding in checks.run(chain, checks.ISSUE_CHECKS) if finding.is_blocking]


def is_overridden(invoice_id: int, codes) -> bool:
    """An override of this invoice covers every one of these codes."""
    wanted = set(codes)
    return any(
        wanted <= set(overridden)
        for overridden in FindingOverride.objects.filter(invoice_id=invoice_id).values_list(
            "codes", flat=True
        )
    )


def refuse_if_blocked(invoice: Invoice, lines) -> None:
    """Raise `invoice_blocked_by_findings` (409) listing the findings, unless overridden. Credit notes
    are not gated: they take back what an issued invoice billed, at its own VAT."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return
    found = blocking_findings(invoice, lines)
    if not found or is_overridden(invoice.pk, {finding.code for finding in found}):
        return
    code, message = errors.INVOICE_BLOCKED
    raise Conflict(
        code,
        message,
        invoice=invoice.number or gettext("brouillon n° %(pk)s") % {"pk": invoice.pk},
        findings=" ".join(finding.message for finding in found),
    )
