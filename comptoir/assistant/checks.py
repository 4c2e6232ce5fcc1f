"""Consistency checks along the chain quote → order → delivery → invoice → payment. Pure.

Each check is a small function `(chain) -> list[Finding]` registered in `CHECKS`; it never raises for a
business problem and never reads the database (`assistant.selectors` builds the chain). Checks report
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
  a probable duplicate, a credit note beyond its return case, a payment matching no open invoice.
- **info**, normal progress that calls for the next step: delivered goods not invoiced yet, an order
  shipped short with nothing planned for the rest, a payment on account that matches open invoices.
"""

from collections import defaultdict
from decimal import Decimal
from itertools import combinations

from django.utils.translation import gettext, gettext_lazy, pgettext

from comptoir.assistant.chain import (
    Chain,
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceLine,
    Kind,
    OpenItem,
    Payment,
    Status,
    claim_order,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, euros, percent, qty, units
from comptoir.core import vat

ZERO = Decimal("0")
CENT = Decimal("0.01")
DUPLICATE_WINDOW_DAYS = 7
# Subset search for payments: combinations of up to this many open invoices, among the oldest ones.
MAX_COMBINATION = 3
MAX_OPEN_ITEMS = 25


# --- Evidence helpers ---------------------------------------------------------------------------


def _invoice_ev(invoice: Invoice, line: InvoiceLine | None = None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence(invoice.evidence_kind, _label(invoice), invoice.id, line.id if line else None, values)


def _delivery_ev(delivery: Delivery, line: DeliveryLine | None = None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence("delivery", delivery.number, delivery.id, line.id if line else None, values)


def _order_ev(chain: Chain, line=None, **values) -> Evidence:
    if line is not None:
        values = {"product": line.product.sku, **values}
    return Evidence("order", chain.order.number, chain.order.id, line.id if line else None, values)


def _label(invoice: Invoice) -> str:
    """The invoice's number, or « brouillon n° 12 » for a draft."""
    return invoice.number or gettext("brouillon n° %(pk)s") % {"pk": invoice.id}


def _noun(invoice: Invoice) -> str:
    """« la facture », « l'avoir », « la facture d'acompte »: the document as a sentence names it."""
    if invoice.kind == Kind.CREDIT_NOTE:
        return pgettext("document named in a sentence", "l'avoir")
    if invoice.kind == Kind.DEPOSIT:
        return pgettext("document named in a sentence", "la facture d'acompte")
    return pgettext("document named in a sentence", "la facture")


def _draft_or_issued(invoice: Invoice) -> str:
    return Severity.BLOCKING if invoice.is_draft else Severity.WARNING


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _delivered(delivery: Delivery, line: DeliveryLine) -> Decimal:
    return line.quantity if delivery.counts_as_delivered else ZERO


def _billed_delivery_lines(chain: Chain, invoice: Invoice) -> dict[int, list[InvoiceLine]]:
    """The invoice's lines grouped by the delivery line they bill (only delivery lines in the chain)."""
    grouped: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in invoice.lines:
        if line.delivery_line_id in chain.delivery_line_by_id:
            grouped[line.delivery_line_id].append(line)
    return grouped


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


# --- Product references ---------------------------------------------------------------------------


def check_product_changes(chain: Chain) -> list[Finding]:
    """The product of a line differs from the one on the line it comes from."""
    findings = []
    order = chain.order
    if order is not None and chain.quote is not None:
        for line in order.lines:
            source = chain.quote_line_by_id.get(line.quote_line_id)
            if source is not None and source.product.id != line.product.id:
                findings.append(
                    _product_changed(
                        gettext(
                            "La commande %(order)s porte %(sku)s là où le devis %(quote)s portait %(quoted)s."
                        )
                        % {
                            "order": order.number,
                            "sku": line.product.sku,
                            "quote": chain.quote.number,
                            "quoted": source.product.sku,
                        },
                        Evidence(
                            "quote",
                            chain.quote.number,
                            chain.quote.id,
                            source.id,
                            {"product": source.product.sku},
                        ),
                        _order_ev(chain, line),
                    )
                )
    for delivery in chain.deliveries:
        for dl in delivery.lines:
            ordered = chain.order_line_by_id.get(dl.order_line_id)
            if ordered is not None and ordered.product.id != dl.product.id:
                findings.append(
                    _product_changed(
                        gettext(
                            "Le %(delivery)s a livré %(sku)s pour une ligne commandée en %(ordered)s sur "
                            "%(order)s."
                        )
                        % {
                            "delivery": delivery.number,
                            "sku": dl.product.sku,
                            "ordered": ordered.product.sku,
                            "order": order.number,
                        },
                        _order_ev(chain, ordered),
                        _delivery_ev(delivery, dl),
                    )
                )
    for invoice in chain.subjects(Kind.INVOICE):
        for line in invoice.lines:
            if line.delivery_line_id in chain.delivery_line_by_id:
                delivery, dl = chain.delivery_line_by_id[line.delivery_line_id]
                source, source_ev = dl, _delivery_ev(delivery, dl)
                message = gettext(
                    "%(noun)s %(label)s facture %(sku)s là où le %(source)s porte %(source_sku)s."
                )
                where = delivery.number
            elif line.order_line_id in chain.order_line_by_id:
                source = chain.order_line_by_id[line.order_line_id]
                source_ev = _order_ev(chain, source)
                message = gettext(
                    "%(noun)s %(label)s facture %(sku)s là où la commande %(source)s porte %(source_sku)s."
                )
                where = order.number
            else:
                continue
            if source.product.id != line.product.id:
                findings.append(
                    _product_changed(
                        _sentence(
                            message
                            % {
                                "noun": _noun(invoice),
                                "label": _label(invoice),
                                "sku": line.product.sku,
                                "source": where,
                                "source_sku": source.product.sku,
                            }
                        ),
                        source_ev,
                        _invoice_ev(invoice, line),
                    )
                )
    return findings


def _product_changed(message: str, *evidence: Evidence) -> Finding:
    return Finding("product_changed_along_chain", Severity.WARNING, message, evidence)


# --- Prices and discounts -------------------------------------------------------------------------


def check_invoice_prices(chain: Chain) -> list[Finding]:
    """Unit price or discount on an invoice line differs from the order line it bills."""
    findings = []
    if chain.order is None:
        return findings
    for invoice in chain.subjects(Kind.INVOICE):
        for line in invoice.lines:
            ordered = chain.order_line_by_id.get(line.order_line_id)
            if ordered is None:
                continue
            if line.unit_price != ordered.unit_price:
                findings.append(_invoice_price_finding(chain, invoice, line, ordered))
            if line.discount_percent != ordered.discount_percent:
                findings.append(
                    Finding(
                        "invoice_discount_differs",
                        Severity.WARNING,
                        _sentence(
                            gettext(
                                "%(noun)s %(label)s applique une remise de %(discount)s sur %(sku)s alors que la "
                                "commande %(order)s a convenu %(agreed)s."
                            )
                            % {
                                "noun": _noun(invoice),
                                "label": _label(invoice),
                                "discount": percent(line.discount_percent),
                                "sku": line.product.sku,
                                "order": chain.order.number,
                                "agreed": percent(ordered.discount_percent),
                            }
                        ),
                        (
                            _invoice_ev(invoice, line, discount_percent=line.discount_percent),
                            _order_ev(chain, ordered, discount_percent=ordered.discount_percent),
                        ),
                        Proposal(
                            "set_invoice_line_discount",
                            {
                                "invoice_id": invoice.id,
                                "invoice_line_id": line.id,
                                "discount_percent": ordered.discount_percent,
                            },
                            gettext("Appliquer la remise convenue à la commande."),
                        )
                        if invoice.is_draft
                        else None,
                    )
                )
    return findings


def _invoice_price_finding(chain: Chain, invoice: Invoice, line: InvoiceLine, ordered) -> Finding:
    if invoice.is_draft:
        proposal = Proposal(
            "set_invoice_line_price",
            {"invoice_id": invoice.id, "invoice_line_id": line.id, "unit_price": ordered.unit_price},
            gettext("Facturer %(sku)s au prix convenu (%(price)s HT).")
            % {"sku": line.product.sku, "price": euros(ordered.unit_price)},
        )
    elif line.unit_price > ordered.unit_price:
        proposal = Proposal(
            "create_credit_note",
            {
                "invoice_id": invoice.id,
                "lines": [
                    {
                        "invoice_line_id": line.id,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price - ordered.unit_price,
                    }
                ],
            },
            gettext(
                "Émettre un avoir de la différence de prix (%(difference)s HT par unité sur %(quantity)s)."
            )
            % {"difference": euros(line.unit_price - ordered.unit_price), "quantity": units(line.quantity)},
        )
    else:
        proposal = None
    return Finding(
        "invoice_price_differs",
        Severity.WARNING,
        _sentence(
            gettext(
                "%(noun)s %(label)s facture %(sku)s à %(price)s HT l'unité alors que la commande %(order)s "
                "l'a convenu à %(agreed)s."
            )
            % {
                "noun": _noun(invoice),
                "label": _label(invoice),
                "sku": line.product.sku,
                "price": euros(line.unit_price),
                "order": chain.order.number,
                "agreed": euros(ordered.unit_price),
            }
        ),
        (
            _invoice_ev(invoice, line, unit_price=line.unit_price),
            _order_ev(chain, ordered, unit_price=ordered.unit_price),
        ),
        proposal,
    )


def check_order_prices_vs_quote(chain: Chain) -> list[Finding]:
    """Unit price or discount on the order differs from the accepted quote. Order lines keep the link
    to their quote line; lines re-entered on the order are matched by product when it is unambiguous."""
    order, quote = chain.order, chain.quote
    if order is None or quote is None:
        return []
    by_product: dict[int, list] = defaultdict(list)
    for quoted in quote.lines:
        by_product[quoted.product.id].append(quoted)
    ordered_products: dict[int, int] = defaultdict(int)
    for line in order.lines:
        ordered_products[line.product.id] += 1
    findings = []
    for line in order.lines:
        quoted = chain.quote_line_by_id.get(line.quote_line_id)
        if quoted is None:
            same = by_product.get(line.product.id, [])
            if len(same) != 1 or ordered_products[line.product.id] != 1:
                continue
            quoted = same[0]
        for code, field, shown, message in (
            (
                "order_price_differs_from_quote",
                "unit_price",
                euros,
                gettext(
                    "La commande %(order)s reprend %(sku)s avec %(mine)s HT l'unité alors que le devis accepté "
                    "%(quote)s indiquait %(agreed)s HT l'unité."
                ),
            ),
            (
                "order_discount_differs_from_quote",
                "discount_percent",
                percent,
                gettext(
                    "La commande %(order)s reprend %(sku)s avec une remise de %(mine)s alors que le devis "
                    "accepté %(quote)s indiquait une remise de %(agreed)s."
                ),
            ),
        ):
            mine, agreed = getattr(line, field), getattr(quoted, field)
            if mine != agreed:
                findings.append(
                    Finding(
                        code,
                        Severity.WARNING,
                        message
                        % {
                            "order": order.number,
                            "sku": line.product.sku,
                            "mine": shown(mine),
                            "quote": quote.number,
                            "agreed": shown(agreed),
                        },
                        (
                            Evidence(
                                "quote",
                                quote.number,
                                quote.id,
                                quoted.id,
                                {"product": quoted.product.sku, field: agreed},
                            ),
                            _order_ev(chain, line, **{field: mine}),
                        ),
                    )
                )
    return findings


# --- VAT ------------------------------------------------------------------------------------------

_REGIME_LABELS = {
    vat.Regime.FRANCE: gettext_lazy("France"),
    vat.Regime.EU: gettext_lazy("entreprise de l'Union européenne"),
    vat.Regime.EXPORT: gettext_lazy("hors Union européenne"),
}
# The categories that need the buyer's VAT number (vat.NEED_BUYER_VAT), as a sentence names them.
_CATEGORY_IN_SENTENCE = {
    vat.Category.REVERSE_CHARGE: gettext_lazy("autoliquidation"),
    vat.Category.INTRA_EU_GOODS: gettext_lazy("livraison intracommunautaire exonérée"),
}


def _has_eu_vat_number(number: str) -> bool:
    return len(number) > 2 and number[:2].isalpha() and not number.upper().startswith("FR")


def check_reverse_charge_vat_number(chain: Chain) -> list[Finding]:
    """Reverse charge (AE) or an intra-EU supply (K) needs the buyer's VAT number in another member state."""
    findings = []
    customer = chain.customer
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                if customer.vat_number:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a le numéro %(vat_number)s : il faut un numéro de TVA d'un autre État "
                        "membre."
                    )
                else:
                    message = gettext(
                        "%(noun)s %(label)s applique %(category)s (%(code)s) à %(sku)s alors que le client "
                        "%(customer)s a aucun numéro de TVA : il faut un numéro de TVA d'un autre État membre."
                    )
                category = _CATEGORY_IN_SENTENCE.get(line.vat_category)
                findings.append(
                    Finding(
                        "reverse_charge_without_eu_vat_number",
                        Severity.BLOCKING,
                        _sentence(
                            message
                            % {
                                "noun": _noun(invoice),
                                "label": _label(invoice),
                                "category": category or vat.CATEGORY_LABELS[line.vat_category].lower(),
                                "code": line.vat_category,
                                "sku": line.product.sku,
                                "customer": customer.name,
                                "vat_number": customer.vat_number,
                            }
                        ),
                        (
                            _invoice_ev(
                                invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate
                            ),
                            Evidence(
                                "customer",
                                customer.name,
                                customer.id,
                                None,
                                {"vat_number": customer.vat_number, "vat_regime": customer.vat_regime},
                            ),
                        ),
                    )
                )
    return findings


def check_vat_follows_product_and_customer(chain: Chain) -> list[Finding]:
    """Each draft line's VAT category and rate are what the product and the customer's regime give, at
    the rate in force the day the tax fell due: the delivery for goods (CGI art. 269-2-a), the invoice for
    the rest. Goods delivered at 10 % before the product went to 20 % are rightly invoiced at 10 %."""
    findings = []
    customer = chain.customer
    delivered = chain.delivery_line_by_id
    for invoice in chain.subjects(Kind.INVOICE, Kind.DEPOSIT):
        if not invoice.is_draft:
            continue
        for line in invoice.lines:
            if line.vat_category in vat.NEED_BUYER_VAT and not _has_eu_vat_number(customer.vat_number):
                continue  # said by check_reverse_charge_vat_number
            product = line.product
            source = delivered.get(line.delivery_line_id) if line.delivery_line_id is not None else None
            tax_point = source[0].date if source is not None else invoice.date
            rate = product.rate_on(tax_point)
            expected = vat.treatment(
                regime=customer.vat_regime,
                is_service=product.is_service,
                rate=rate,
                exemption_reason=product.vat_exemption_reason,
                exemption_code=product.vat_exemption_code,
            )
            if (line.vat_category, line.vat_rate) == (expected.category, expected.rate):
                continue
            findings.append(
                Finding(
                    "invoice_vat_inconsistent",
                    Severity.BLOCKING,
                    _sentence(
                        gettext(
                            "%(noun)s %(label)s soumet %(sku)s à la TVA %(rate)s (%(category)s) alors que le "
                            "produit (TVA %(product_rate)s) vendu au client %(customer)s (régime %(regime)s) "
                            "appelle %(expected_rate)s (%(expected_category)s)."
                        )
                        % {
                            "noun": _noun(invoice),
                            "label": _label(invoice),
                            "sku": product.sku,
                            "rate": percent(line.vat_rate),
                            "category": line.vat_category,
                            "product_rate": percent(rate),
                            "customer": customer.name,
                            "regime": _REGIME_LABELS.get(customer.vat_regime, customer.vat_regime),
                            "expected_rate": percent(expected.rate),
                            "expected_category": expected.category,
                        }
                    ),
                    (
                        _invoice_ev(invoice, line, vat_category=line.vat_category, vat_rate=line.vat_rate),
                        Evidence(
                            "product",
                            product.sku,
                            product.id,
                            None,
                            {"vat_rate": rate, "tax_point": tax_point.isoformat()},
                        ),
                        Evidence(
                            "customer",
                            customer.name,
                            customer.id,
                            None,
                            {"vat_regime": customer.vat_regime, "vat_number": customer.vat_number},
                        ),
                    ),
                    Proposal(
                        "set_invoice_line_vat",
                        {
                            "invoice_id": invoice.id,
                            "invoice_line_id": line.id,
                            "vat_category": expected.category,
                            "vat_rate": expected.rate,
                        },
                        gettext(
                            "Appliquer la TVA %(rate)s (%(category)s) que donnent le produit et le régime du "
                            "client, ou corriger la fiche si c'est elle qui est fausse."
                        )
                        % {"rate": percent(expected.rate), "category": expected.category},
                        Decimal("0.8"),
                    ),
                )
            )
    return findings


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


# --- Credit notes ---------------------------------------------------------------------------------


def check_credit_note_within_return(chain: Chain) -> list[Finding]:
    """A credit note citing a return case credits no more than the case justifies (amount excl. VAT, and
    quantity per product), counting the case's earlier credit notes."""
    findings = []
    cases = {case.number: case for case in chain.return_cases}
    for note in chain.subjects(Kind.CREDIT_NOTE):
        reference = note.source_reference.strip()
        if not reference.upper().startswith("RET-"):
            continue  # a commercial gesture, or another kind of reference
        case = cases.get(reference)
        if case is None:
            findings.append(
                Finding(
                    "credit_note_case_not_found",
                    Severity.WARNING,
                    gettext(
                        "L'avoir %(note)s cite le dossier de retour %(reference)s, introuvable : rien ne justifie "
                        "ce qu'il crédite."
                    )
                    % {"note": _label(note), "reference": reference},
                    (_invoice_ev(note, None, source_reference=reference, total_untaxed=note.total_untaxed),),
                )
            )
            continue
        earlier = [
            other
            for other in chain.invoices
            if other.kind == Kind.CREDIT_NOTE
            and other.is_live
            and other.id != note.id
            and other.source_reference.strip() == reference
            and claim_order(other) < claim_order(note)
        ]
        before = sum((other.total_untaxed for other in earlier), ZERO)
        # A rejected case justifies nothing.
        justified = ZERO if case.status == "rejected" else case.justified_amount
        # Crediting a case in several notes rounds each line to the cent: allow a cent per earlier line.
        rounding = CENT * sum(len(other.lines) for other in earlier)
        case_ev = Evidence(
            "return_case", case.number, case.id, None, {"reason": case.reason, "justified_untaxed": justified}
        )
        if before + note.total_untaxed > justified + rounding:
            findings.append(
                Finding(
                    "credit_note_exceeds_return",
                    Severity.WARNING,
                    (
                        gettext(
                            "L'avoir %(note)s crédite %(amount)s HT au titre du dossier %(case)s, qui ne justifie "
                            "que %(justified)s HT dont %(before)s déjà crédités."
                        )
                        if before
                        else gettext(
                            "L'avoir %(note)s crédite %(amount)s HT au titre du dossier %(case)s, qui ne justifie "
                            "que %(justified)s HT."
                        )
                    )
                    % {
                        "note": _label(note),
                        "amount": euros(note.total_untaxed),
                        "case": case.number,
                        "justified": euros(justified),
                        "before": euros(before),
                    },
                    (
                        _invoice_ev(note, None, total_untaxed=note.total_untaxed, credited_before=before),
                        case_ev,
                    ),
                )
            )
            continue
        allowed: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in case.lines:
            allowed[line.product.id] += line.quantity
        credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for other in (*earlier, note):
            for line in other.lines:
                credited[line.product.id] += line.quantity
        for line in note.lines:
            product_id = line.product.id
            if credited[product_id] > allowed[product_id]:
                findings.append(
                    Finding(
                        "credit_note_exceeds_return",
                        Severity.WARNING,
                        gettext(
                            "L'avoir %(note)s crédite %(credited)s de %(sku)s au titre du dossier %(case)s, qui "
                            "n'en porte que %(allowed)s."
                        )
                        % {
                            "note": _label(note),
                            "credited": units(credited[product_id]),
                            "sku": line.product.sku,
                            "case": case.number,
                            "allowed": qty(allowed[product_id]),
                        },
                        (
                            _invoice_ev(note, line, credited=credited[product_id]),
                            case_ev,
                        ),
                    )
                )
                break
    return findings


# --- Payments -------------------------------------------------------------------------------------


def matching_combination(amount: Decimal, items, *, size: int = MAX_COMBINATION):
    """The open items (oldest first) whose balances add up exactly to `amount`, fewest items first; None."""
    items = list(items)[:MAX_OPEN_ITEMS]
    for count in range(1, size + 1):
        for combo in combinations(items, count):
            if sum((item.balance_due for item in combo), ZERO) == amount:
                return combo
    return None


def check_payment_matches_open_items(chain: Chain) -> list[Finding]:
    """What a payment left unallocated should settle some of the customer's open invoices exactly."""
    findings = []
    items = sorted(chain.open_items, key=lambda item: (item.due_date is None, item.due_date, item.invoice_id))
    for payment in chain.payments:
        if payment.unallocated <= 0:
            continue
        payment_ev = Evidence(
            "payment",
            payment.number,
            payment.id,
            None,
            {"amount": payment.amount, "unallocated": payment.unallocated},
        )
        combo = matching_combination(payment.unallocated, items)
        if combo is not None:
            names = ", ".join(item.number for item in combo)
            findings.append(
                Finding(
                    "payment_matches_open_items",
                    Severity.INFO,
                    gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, exactement le solde de "
                        "%(invoices)s."
                    )
                    % {"payment": payment.number, "amount": euros(payment.unallocated), "invoices": names},
                    (
                        payment_ev,
                        *(
                            Evidence(
                                "invoice",
                                item.number,
                                item.invoice_id,
                                None,
                                {"balance_due": item.balance_due},
                            )
                            for item in combo
                        ),
                    ),
                    Proposal(
                        "allocate_payment",
                        {
                            "payment_id": payment.id,
                            "allocations": [
                                {"invoice_id": item.invoice_id, "amount": item.balance_due} for item in combo
                            ],
                        },
                        gettext("Affecter le règlement %(payment)s à %(invoices)s.")
                        % {"payment": payment.number, "invoices": names},
                        Decimal("0.95") if len(combo) == 1 else Decimal("0.8"),
                    ),
                )
            )
            continue
        draft = next((d for d in chain.drafts if d.balance_due == payment.unallocated), None)
        if draft is not None:
            findings.append(_prepayment_of_draft(payment, payment_ev, draft))
            continue
        shown = ", ".join(f"{item.number} {euros(item.balance_due)}" for item in items[:5])
        findings.append(
            Finding(
                "payment_matches_no_open_item",
                Severity.WARNING,
                (
                    gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, qui ne correspondent au solde "
                        "d'aucune facture ouverte ni d'aucune combinaison de factures ouvertes du client "
                        "(ouvertes : %(open)s)."
                    )
                    if items
                    else gettext(
                        "Le règlement %(payment)s laisse %(amount)s non affectés, qui ne correspondent au solde "
                        "d'aucune facture ouverte ni d'aucune combinaison de factures ouvertes du client "
                        "(aucune facture ouverte)."
                    )
                )
                % {"payment": payment.number, "amount": euros(payment.unallocated), "open": shown},
                (
                    payment_ev,
                    *(
                        Evidence(
                            "invoice", item.number, item.invoice_id, None, {"balance_due": item.balance_due}
                        )
                        for item in items[:5]
                    ),
                ),
            )
        )
    return findings


def _prepayment_of_draft(payment: Payment, payment_ev: Evidence, draft: OpenItem) -> Finding:
    """Money received ahead of the invoice: its exact amount is a draft's, which only needs issuing to
    take it (then `payment_matches_open_items` proposes the allocation)."""
    return Finding(
        "payment_matches_draft",
        Severity.INFO,
        gettext(
            "Le règlement %(payment)s laisse %(amount)s non affectés, exactement le montant du %(draft)s : "
            "un paiement d'avance, à affecter une fois la facture émise."
        )
        % {"payment": payment.number, "amount": euros(payment.unallocated), "draft": draft.number},
        (payment_ev, Evidence("invoice", draft.number, draft.invoice_id, None, {"total": draft.balance_due})),
        Proposal(
            "issue_invoice",
            {"invoice_id": draft.invoice_id},
            gettext("Émettre le %(draft)s, que le règlement %(payment)s paie d'avance.")
            % {"draft": draft.number, "payment": payment.number},
            Decimal("0.7"),
        ),
    )


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
    check_reverse_charge_vat_number,
    check_vat_follows_product_and_customer,
    check_deposit_deducted,
    check_duplicate_invoice,
    check_credit_note_within_return,
    check_payment_matches_open_items,
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
