"""Checks of deposits deducted from the closing invoice and of duplicate invoices. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Invoice,
    Kind,
    Status,
    claim_order,
)
from comptoir.assistant.checks._common import (
    DUPLICATE_WINDOW_DAYS,
    ZERO,
    _invoice_ev,
    _label,
    _noun,
    _sentence,
)
from comptoir.assistant.findings import Finding, Proposal, Severity, euros

# --- Deposits -------------------------------------------------------------------------------------


def check_deposit_deducted(chain: Chain) -> list[Finding]:
    """The invoice that completes the billing of an order must deduct the deposits still open."""
    order = chain.order
    if order is None:
        return []
    corrected = {
        note.corrects_id
        for note in chain.invoices
        if note.kind == Kind.CREDIT_NOTE and note.status == Status.ISSUED
    }
    deposits = [
        invoice
        for invoice in chain.invoices
        if invoice.kind == Kind.DEPOSIT and invoice.status == Status.ISSUED and invoice.id not in corrected
    ]
    if not deposits:
        return []
    live = {invoice.id for invoice in chain.invoices if invoice.is_live}
    deducted: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for deduction in chain.deductions:
        if deduction.invoice_id in live:
            deducted[deduction.deposit_id] += deduction.amount
    left = [(deposit, deposit.total - deducted[deposit.id]) for deposit in deposits]
    left = [(deposit, amount) for deposit, amount in left if amount > 0]
    closing = _closing_invoice(chain)
    if not left or closing is None or closing not in chain.subjects(Kind.INVOICE):
        return []
    total_left = sum((amount for _, amount in left), ZERO)
    named = ", ".join(
        gettext("%(deposit)s (%(amount)s TTC)") % {"deposit": _label(deposit), "amount": euros(amount)}
        for deposit, amount in left
    )
    return [
        Finding(
            "deposit_not_deducted",
            Severity.WARNING,
            _sentence(
                gettext(
                    "%(noun)s %(label)s termine la facturation de la commande %(order)s sans déduire l'acompte "
                    "%(deposits)s : le client paierait deux fois %(amount)s."
                )
                % {
                    "noun": _noun(closing),
                    "label": _label(closing),
                    "order": order.number,
                    "deposits": named,
                    "amount": euros(total_left),
                }
            ),
            (
                _invoice_ev(closing, None, deposits_deducted=closing.deposits_deducted),
                *(
                    _invoice_ev(deposit, None, total=deposit.total, left_to_deduct=amount)
                    for deposit, amount in left
                ),
            ),
            Proposal(
                "deduct_deposit",
                {
                    "invoice_id": closing.id,
                    "deposits": [{"invoice_id": deposit.id, "amount": amount} for deposit, amount in left],
                },
                (
                    gettext("Déduire %(amount)s d'acompte de %(invoice)s avant de l'émettre.")
                    if closing.is_draft
                    else gettext("Déduire %(amount)s d'acompte de %(invoice)s par un avoir.")
                )
                % {"amount": euros(total_left), "invoice": _label(closing)},
            ),
        )
    ]


def _closing_invoice(chain: Chain) -> Invoice | None:
    """The latest live invoice of the order, when with it nothing is left to bill on the order."""
    order = chain.order
    revenue = [
        invoice
        for invoice in chain.invoices
        if invoice.is_live and invoice.kind == Kind.INVOICE and invoice.order_id == order.id
    ]
    if not revenue:
        return None
    if order.billed_by_schedule:
        billed = sum(
            (
                line.net_amount
                for invoice in revenue
                for line in invoice.lines
                if invoice.milestone_id or line.order_line_id
            ),
            ZERO,
        )
        if billed < order.total_untaxed:
            return None
    else:
        billed_qty: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for invoice in revenue:
            for line in invoice.lines:
                if line.order_line_id:
                    billed_qty[line.order_line_id] += line.quantity
        if any(billed_qty[line.id] < line.quantity for line in order.lines):
            return None
    return max(revenue, key=claim_order)


# --- Duplicates -----------------------------------------------------------------------------------


def _signature(invoice: Invoice) -> tuple:
    return tuple(
        sorted(
            (line.product.id, line.quantity, line.unit_price, line.discount_percent, line.vat_rate)
            for line in invoice.lines
        )
    )


def _deliveries_billed(chain: Chain, invoice: Invoice) -> set[int]:
    found = set()
    for line in invoice.lines:
        if line.delivery_line_id is None:
            continue
        pair = chain.delivery_line_by_id.get(line.delivery_line_id)
        found.add(pair[0].id if pair else -line.delivery_line_id)
    return found


def _cancelled_by_credit_notes(chain: Chain, invoice: Invoice) -> bool:
    """Issued credit notes in the chain take back the whole of `invoice`."""
    credited = sum(
        (
            note.total
            for note in chain.invoices
            if note.kind == Kind.CREDIT_NOTE
            and note.corrects_id == invoice.id
            and note.is_live
            and not note.is_draft
        ),
        ZERO,
    )
    return credited >= invoice.total > 0


def check_duplicate_invoice(chain: Chain) -> list[Finding]:
    """Same customer, same kind, same total and same lines within a few days: a probable duplicate.

    Reported on the later of the two. Not duplicates: two billing-schedule steps of equal share,
    invoices of the same order billing different delivery notes (two equal partial shipments), orders
    the customer placed under two different purchase-order numbers (a regular re-order), and an invoice
    a credit note has already cancelled (`chain.neighbours` leaves those out on the other side)."""
    findings = []
    candidates = [
        invoice
        for invoice in (*chain.invoices, *chain.neighbours)
        if invoice.is_live
        and invoice.kind in (Kind.INVOICE, Kind.DEPOSIT)
        and not _cancelled_by_credit_notes(chain, invoice)
    ]
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if invoice.milestone_id or not invoice.lines or _cancelled_by_credit_notes(chain, invoice):
            continue
        signature = _signature(invoice)
        for other in candidates:
            if (
                other.id == invoice.id
                or other.kind != invoice.kind
                or other.customer_id != invoice.customer_id
                or other.milestone_id
                or claim_order(other) > claim_order(invoice)
                or abs((other.date - invoice.date).days) > DUPLICATE_WINDOW_DAYS
                or other.total != invoice.total
                or _signature(other) != signature
                or (invoice.po_number and other.po_number and invoice.po_number != other.po_number)
            ):
                continue
            if (
                other.order_id == invoice.order_id
                and other.order_id is not None
                and _deliveries_billed(chain, other) != _deliveries_billed(chain, invoice)
            ):
                continue
            findings.append(
                Finding(
                    "duplicate_invoice",
                    Severity.WARNING,
                    _sentence(
                        (
                            gettext(
                                "%(noun)s %(label)s reprend exactement %(other_noun)s %(other)s du %(date)s : "
                                "même client, même bon de commande %(po)s, même montant (%(total)s TTC), "
                                "mêmes lignes. Doublon probable."
                            )
                            if invoice.po_number and invoice.po_number == other.po_number
                            else gettext(
                                "%(noun)s %(label)s reprend exactement %(other_noun)s %(other)s du %(date)s : "
                                "même client, même montant (%(total)s TTC), mêmes lignes. Doublon probable."
                            )
                        )
                        % {
                            "po": invoice.po_number,
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "other_noun": _noun(other),
                            "other": _label(other),
                            "date": f"{other.date:%d/%m/%Y}",
                            "total": euros(invoice.total),
                        }
                    ),
                    (
                        _invoice_ev(invoice, None, total=invoice.total, date=invoice.date.isoformat()),
                        _invoice_ev(other, None, total=other.total, date=other.date.isoformat()),
                    ),
                    Proposal(
                        "cancel_draft_invoice",
                        {"invoice_id": invoice.id},
                        gettext("Annuler %(noun)s %(label)s, doublon de %(other)s.")
                        % {"noun": _noun(invoice), "label": _label(invoice), "other": _label(other)},
                        Decimal("0.7"),
                    )
                    if invoice.is_draft
                    else Proposal(
                        "create_credit_note",
                        {
                            "invoice_id": invoice.id,
                            "lines": [
                                {"invoice_line_id": line.id, "quantity": line.quantity}
                                for line in invoice.lines
                            ],
                        },
                        gettext(
                            "Annuler %(invoice)s par un avoir total s'il s'agit bien d'un doublon de %(other)s."
                        )
                        % {"invoice": _label(invoice), "other": _label(other)},
                        Decimal("0.6"),
                    ),
                )
            )
            break
    return findings
