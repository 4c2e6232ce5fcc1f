"""Checks of delivered against ordered and invoiced against delivered quantities. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Kind,
    Status,
    claim_order,
)
from comptoir.assistant.checks._common import (
    ZERO,
    _billed_delivery_lines,
    _delivered,
    _delivery_ev,
    _draft_or_issued,
    _invoice_ev,
    _label,
    _noun,
    _order_ev,
    _sentence,
)
from comptoir.assistant.findings import Finding, Proposal, Severity, qty, units

# --- Delivered ↔ ordered --------------------------------------------------------------------------


def check_delivered_vs_ordered(chain: Chain) -> list[Finding]:
    """Short shipment with nothing planned for the rest (info), over-shipment (warning)."""
    order = chain.order
    if order is None or order.status != "confirmed":
        return []
    delivered: dict[int, Decimal] = defaultdict(lambda: ZERO)
    planned: dict[int, Decimal] = defaultdict(lambda: ZERO)
    shipped_notes: dict[int, list[str]] = defaultdict(list)
    for delivery in chain.deliveries:
        for line in delivery.lines:
            if delivery.counts_as_delivered:
                delivered[line.order_line_id] += line.quantity
                shipped_notes[line.order_line_id].append(delivery.number)
            elif delivery.status == Status.DRAFT:
                planned[line.order_line_id] += line.quantity
    if not shipped_notes:
        return []  # nothing shipped yet: not a short shipment, just an order waiting
    findings = []
    for line in order.lines:
        if line.product.is_service:
            continue
        got = delivered[line.id]
        notes = ", ".join(shipped_notes[line.id]) or gettext("aucun bon de livraison")
        if got > line.quantity:
            findings.append(
                Finding(
                    "delivery_exceeds_order",
                    Severity.WARNING,
                    gettext(
                        "%(delivered)s de %(sku)s ont été livrées (%(notes)s) alors que la commande "
                        "%(order)s n'en prévoyait que %(ordered)s."
                    )
                    % {
                        "delivered": units(got),
                        "sku": line.product.sku,
                        "notes": notes,
                        "order": order.number,
                        "ordered": qty(line.quantity),
                    },
                    (_order_ev(chain, line, ordered=line.quantity, delivered=got),),
                )
            )
            continue
        left = line.quantity - got - planned[line.id]
        if got < line.quantity and left > 0:
            findings.append(
                Finding(
                    "delivery_short",
                    Severity.INFO,
                    gettext(
                        "La commande %(order)s prévoyait %(ordered)s de %(sku)s ; %(delivered)s livrée(s) "
                        "(%(notes)s), %(left)s reste(nt) à livrer sans bon de livraison prévu."
                    )
                    % {
                        "order": order.number,
                        "ordered": units(line.quantity),
                        "sku": line.product.sku,
                        "delivered": qty(got),
                        "notes": notes,
                        "left": qty(left),
                    },
                    (_order_ev(chain, line, ordered=line.quantity, delivered=got, planned=planned[line.id]),),
                    Proposal(
                        "create_delivery",
                        {"order_id": order.id, "lines": [{"order_line_id": line.id, "quantity": left}]},
                        gettext("Préparer un bon de livraison pour les %(left)s de %(sku)s restantes.")
                        % {"left": units(left), "sku": line.product.sku},
                        Decimal("0.7"),
                    ),
                )
            )
    return findings


# --- Invoiced ↔ delivered -------------------------------------------------------------------------


def check_invoice_exceeds_delivered(chain: Chain) -> list[Finding]:
    """An invoice bills more of a delivery line than the delivery note shipped."""
    findings = []
    for invoice in chain.subjects(Kind.INVOICE):
        for dl_id, lines in _billed_delivery_lines(chain, invoice).items():
            delivery, dl = chain.delivery_line_by_id[dl_id]
            billed = sum((chain.net_quantity(line) for line in lines), ZERO)
            shipped = _delivered(delivery, dl)
            if billed <= shipped:
                continue
            if not delivery.counts_as_delivered:
                message = gettext(
                    "%(noun)s %(label)s facture %(billed)s de %(sku)s alors que le %(delivery)s n'a rien "
                    "expédié (bon non validé ou de remplacement)."
                )
            else:
                message = gettext(
                    "%(noun)s %(label)s facture %(billed)s de %(sku)s alors que le %(delivery)s n'en a livré "
                    "que %(shipped)s."
                )
            excess = billed - shipped
            if invoice.is_draft:
                proposal = Proposal(
                    "set_invoice_line_quantity",
                    {"invoice_id": invoice.id, "invoice_line_id": lines[0].id, "quantity": shipped},
                    gettext("Ramener la ligne %(sku)s du brouillon à la quantité livrée (%(shipped)s).")
                    % {"sku": dl.product.sku, "shipped": qty(shipped)},
                )
            else:
                proposal = Proposal(
                    "create_credit_note",
                    {
                        "invoice_id": invoice.id,
                        "lines": [{"invoice_line_id": lines[0].id, "quantity": excess}],
                    },
                    gettext(
                        "Émettre un avoir partiel de %(excess)s × %(sku)s sur %(invoice)s : le client ne doit "
                        "que ce qui a été livré."
                    )
                    % {"excess": qty(excess), "sku": dl.product.sku, "invoice": _label(invoice)},
                )
            findings.append(
                Finding(
                    "invoice_qty_exceeds_delivered",
                    _draft_or_issued(invoice),
                    _sentence(
                        message
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "billed": units(billed),
                            "sku": dl.product.sku,
                            "delivery": delivery.number,
                            "shipped": qty(shipped),
                        }
                    ),
                    (
                        _invoice_ev(invoice, lines[0], invoiced=billed),
                        _delivery_ev(delivery, dl, delivered=shipped),
                    ),
                    proposal,
                )
            )
    return findings


def check_delivery_invoiced_twice(chain: Chain) -> list[Finding]:
    """Goods of a delivery line already billed by another invoice are billed again."""
    findings = []
    for invoice in chain.subjects(Kind.INVOICE):
        mine = claim_order(invoice)
        for dl_id, lines in _billed_delivery_lines(chain, invoice).items():
            delivery, dl = chain.delivery_line_by_id[dl_id]
            earlier = [
                (other, line)
                for other, line in chain.billing_lines(dl_id)
                if other.id != invoice.id and claim_order(other) < mine
            ]
            before = sum((chain.net_quantity(line) for _, line in earlier), ZERO)
            billed = sum((chain.net_quantity(line) for line in lines), ZERO)
            shipped = _delivered(delivery, dl)
            if before <= 0 or before + billed <= shipped:
                continue
            others = sorted({_label(other) for other, _ in earlier})
            if invoice.is_draft:
                proposal = Proposal(
                    "cancel_draft_invoice",
                    {"invoice_id": invoice.id},
                    gettext("Annuler %(noun)s %(label)s : le %(delivery)s est déjà facturé par %(others)s.")
                    % {
                        "noun": _noun(invoice),
                        "label": _label(invoice),
                        "delivery": delivery.number,
                        "others": ", ".join(others),
                    },
                )
            else:
                excess = min(billed, before + billed - shipped)
                proposal = Proposal(
                    "create_credit_note",
                    {
                        "invoice_id": invoice.id,
                        "lines": [{"invoice_line_id": lines[0].id, "quantity": excess}],
                    },
                    gettext("Émettre un avoir de %(excess)s × %(sku)s sur %(invoice)s, facturés deux fois.")
                    % {"excess": qty(excess), "sku": dl.product.sku, "invoice": _label(invoice)},
                )
            findings.append(
                Finding(
                    "delivery_invoiced_twice",
                    _draft_or_issued(invoice),
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s facture %(billed)s de %(sku)s du %(delivery)s, déjà facturées "
                            "par %(others)s (%(before)s sur %(shipped)s livrées)."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "billed": units(billed),
                            "sku": dl.product.sku,
                            "delivery": delivery.number,
                            "others": ", ".join(others),
                            "before": qty(before),
                            "shipped": qty(shipped),
                        }
                    ),
                    (
                        _invoice_ev(invoice, lines[0], invoiced=billed),
                        *(
                            _invoice_ev(other, line, invoiced=chain.net_quantity(line))
                            for other, line in earlier
                        ),
                        _delivery_ev(delivery, dl, delivered=shipped),
                    ),
                    proposal,
                )
            )
    return findings


def check_invoice_misses_delivered(chain: Chain) -> list[Finding]:
    """An invoice takes up a delivery note but leaves some of its delivered goods unbilled, and no other
    invoice bills them."""
    findings = []
    for invoice in chain.subjects(Kind.INVOICE):
        if invoice.milestone_id or invoice.source_reference:
            continue
        mine = _billed_delivery_lines(chain, invoice)
        touched = {chain.delivery_line_by_id[dl_id][0].id for dl_id in mine}
        for delivery in chain.deliveries:
            if delivery.id not in touched or not delivery.counts_as_delivered or delivery.invoicing_blocked:
                continue
            for dl in delivery.lines:
                billed = chain.invoiced_quantity(dl.id)
                if billed >= dl.quantity:
                    continue
                on_this = sum((line.quantity for line in mine.get(dl.id, [])), ZERO)
                if on_this:
                    message = gettext(
                        "Le %(delivery)s a livré %(delivered)s de %(sku)s mais %(noun)s %(label)s n'en facture "
                        "que %(on_this)s (%(unbilled)s non facturées)."
                    )
                else:
                    message = gettext(
                        "Le %(delivery)s a livré %(delivered)s de %(sku)s mais %(noun)s %(label)s ne reprend "
                        "pas cette ligne (%(unbilled)s non facturées)."
                    )
                findings.append(
                    Finding(
                        "invoice_misses_delivered_quantity",
                        Severity.WARNING,
                        message
                        % {
                            "delivery": delivery.number,
                            "delivered": units(dl.quantity),
                            "sku": dl.product.sku,
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "on_this": qty(on_this),
                            "unbilled": qty(dl.quantity - billed),
                        },
                        (
                            _delivery_ev(delivery, dl, delivered=dl.quantity),
                            _invoice_ev(invoice, None, invoiced_on_this=on_this, invoiced_in_all=billed),
                        ),
                        Proposal(
                            "create_invoice_from_order",
                            {"order_id": invoice.order_id},
                            gettext("Facturer les %(unbilled)s de %(sku)s livrées et non facturées.")
                            % {"unbilled": units(dl.quantity - billed), "sku": dl.product.sku},
                            Decimal("0.8"),
                        )
                        if invoice.order_id
                        else None,
                    )
                )
    return findings


def check_delivered_not_invoiced(chain: Chain) -> list[Finding]:
    """A shipped delivery note that no invoice takes up yet."""
    order = chain.order
    if order is None or order.billed_by_schedule:
        return []
    findings = []
    for delivery in chain.deliveries:
        if not delivery.counts_as_delivered or delivery.invoicing_blocked:
            continue
        if any(chain.billing_lines(dl.id) for dl in delivery.lines):
            continue  # taken up by an invoice: check_invoice_misses_delivered looks at the rest
        what = ", ".join(
            gettext("%(quantity)s de %(sku)s") % {"quantity": units(dl.quantity), "sku": dl.product.sku}
            for dl in delivery.lines
        )
        findings.append(
            Finding(
                "delivered_not_invoiced",
                Severity.INFO,
                gettext(
                    "Le %(delivery)s (expédié le %(date)s) n'est encore facturé par aucune facture : %(what)s."
                )
                % {"delivery": delivery.number, "date": f"{delivery.date:%d/%m/%Y}", "what": what},
                (_delivery_ev(delivery, None, lines=len(delivery.lines)), _order_ev(chain)),
                Proposal(
                    "create_invoice_from_order",
                    {"order_id": order.id},
                    gettext("Établir la facture des quantités livrées de la commande %(order)s.")
                    % {"order": order.number},
                ),
            )
        )
    return findings


def check_invoice_line_not_delivered(chain: Chain) -> list[Finding]:
    """Goods billed on an invoice of the order without any delivery note behind them."""
    findings = []
    for invoice in chain.subjects(Kind.INVOICE):
        if invoice.milestone_id or invoice.source_reference or invoice.order_id is None:
            continue
        for line in invoice.lines:
            if line.product.is_service or line.delivery_line_id is not None:
                continue
            findings.append(
                Finding(
                    "invoice_line_not_delivered",
                    Severity.WARNING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s facture %(quantity)s de %(sku)s qui ne figurent sur aucun bon "
                            "de livraison."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "quantity": units(line.quantity),
                            "sku": line.product.sku,
                        }
                    ),
                    (_invoice_ev(invoice, line, invoiced=line.quantity, delivery_line=None),),
                )
            )
    return findings
