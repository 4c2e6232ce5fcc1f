"""Checks of product references, prices and discounts along quote, order and invoice. Pure."""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from comptoir.assistant.chain import (
    Chain,
    Invoice,
    InvoiceLine,
    Kind,
)
from comptoir.assistant.checks._common import (
    _delivery_ev,
    _invoice_ev,
    _label,
    _noun,
    _order_ev,
    _sentence,
)
from comptoir.assistant.findings import Evidence, Finding, Proposal, Severity, euros, percent, units

# --- Product references ---------------------------------------------------------------------------


def check_product_changes(chain: Chain) -> list[Finding]:
    """The product of a line differs from the one on the line it comes from."""
    findings = []
    order = chain.order
    if order is not None and chain.quote is not None:
        for line in order.lines:
            source = chain.quote_line_by_id.get(line.quote_line_id)
            if source is None or source.product.id == line.product.id:
                continue
            if order.amended_line(line.id, "product"):
                continue  # put there by a recorded amendment: its reason is the explanation
            proposal, blocked = _back_to_quote(chain, line, source)
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
                    }
                    + blocked,
                    Evidence(
                        "quote",
                        chain.quote.number,
                        chain.quote.id,
                        source.id,
                        {"product": source.product.sku},
                    ),
                    _order_ev(chain, line),
                    proposal=proposal,
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


def _product_changed(message: str, *evidence: Evidence, proposal: Proposal | None = None) -> Finding:
    return Finding("product_changed_along_chain", Severity.WARNING, message, evidence, proposal)


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
            # A difference a recorded amendment brought is no anomaly: its reason is the explanation.
            if mine != agreed and not order.amended_line(line.id, field):
                proposal, blocked = _back_to_quote(chain, line, quoted)
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
                        }
                        + blocked,
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
                        proposal,
                    )
                )
    return findings


def _billed_by(chain: Chain, line_id: int) -> list[str]:
    """The live invoices (drafts included) that bill an order line: the line's price is theirs now."""
    return [
        _label(invoice)
        for invoice in chain.invoices
        if invoice.is_live
        and invoice.kind == Kind.INVOICE
        and any(item.order_line_id == line_id for item in invoice.lines)
    ]


def _back_to_quote(chain: Chain, line, quoted) -> tuple[Proposal | None, str]:
    """The proposal putting a confirmed order's line back as the accepted quote had it — product, unit
    price, discount; the quantity stays the order's — through an amendment (`sales.amending`), with
    the proposal's rationale as its reason. Made only when the amendment can go through; otherwise no
    proposal, and the sentence (appended to the finding) says what blocks it. A draft order has neither:
    it is edited directly."""
    order = chain.order
    if order.status != "confirmed":
        return None, ""
    values = {"order": order.number, "sku": line.product.sku, "quote": chain.quote.number}
    billed = _billed_by(chain, line.id)
    if billed:
        return None, " " + gettext(
            "La ligne est déjà facturée (%(invoices)s) : un avenant ne peut plus en changer le prix ni "
            "l'article ; si le client doit le prix du devis, établissez un avoir de la différence."
        ) % {"invoices": ", ".join(billed)}
    payload = {"order_id": order.id, "order_line_id": line.id, "quote_line_id": quoted.id}
    if quoted.product.id != line.product.id:
        shipped = sorted(
            {d.number for d in chain.deliveries for dl in d.lines if dl.order_line_id == line.id}
        )
        if shipped:
            return None, " " + gettext(
                "La ligne figure déjà sur %(deliveries)s : l'article ne peut plus être remplacé par avenant ; "
                "voyez avec le client s'il garde %(sku)s."
            ) % {"deliveries": ", ".join(shipped), "sku": line.product.sku}
        payload |= {
            "product_id": quoted.product.id,
            "quantity": line.quantity,
            "unit_price": quoted.unit_price,
            "discount_percent": quoted.discount_percent,
        }
        rationale = gettext(
            "Modifier la commande %(order)s par avenant : remplacer %(sku)s par %(quoted)s, l'article du devis "
            "accepté %(quote)s, à son prix (%(price)s HT, remise %(discount)s), quantité inchangée."
        ) % (
            values
            | {
                "quoted": quoted.product.sku,
                "price": euros(quoted.unit_price),
                "discount": percent(quoted.discount_percent),
            }
        )
        return Proposal("amend_order_to_quote", payload, rationale, Decimal("0.8")), ""
    for name in ("unit_price", "discount_percent"):
        if getattr(line, name) != getattr(quoted, name) and not order.amended_line(line.id, name):
            payload[name] = getattr(quoted, name)
    values |= {"price": euros(quoted.unit_price), "discount": percent(quoted.discount_percent)}
    if "unit_price" in payload and "discount_percent" in payload:
        rationale = gettext(
            "Modifier la commande %(order)s par avenant : reprendre pour %(sku)s le prix (%(price)s HT) et la "
            "remise (%(discount)s) du devis accepté %(quote)s."
        )
    elif "unit_price" in payload:
        rationale = gettext(
            "Modifier la commande %(order)s par avenant : reprendre pour %(sku)s le prix du devis accepté "
            "%(quote)s (%(price)s HT)."
        )
    elif "discount_percent" in payload:
        rationale = gettext(
            "Modifier la commande %(order)s par avenant : reprendre pour %(sku)s la remise du devis accepté "
            "%(quote)s (%(discount)s)."
        )
    else:
        return None, ""
    rationale %= values
    return Proposal("amend_order_to_quote", payload, rationale, Decimal("0.85")), ""


def check_order_answers_open_quote(chain: Chain) -> list[Finding]:
    """An order keyed by hand (no quote) carrying the very products of a quote the customer was sent and
    that was still valid on the order's date: the order probably answers it. Information, never more: a
    customer may order the same goods again without the quote, and nothing is wrong with the order itself.
    Saying it lets the ADV take the quote's prices and close it, rather than leave an offer open that the
    customer may accept a second time."""
    order = chain.order
    if order is None or chain.quote is not None or not chain.open_quotes:
        return []
    ordered = {line.product.id for line in order.lines}
    if not ordered:
        return []
    findings = []
    answered = [quote for quote in chain.open_quotes if {line.product.id for line in quote.lines} == ordered]
    for quote in answered:
        skus = sorted({line.product.sku for line in quote.lines})
        proposal, blocked = _take_open_quote(chain, quote) if len(answered) == 1 else (None, "")
        findings.append(
            Finding(
                "order_may_answer_open_quote",
                Severity.INFO,
                gettext(
                    "La commande %(order)s, saisie sans devis, porte les mêmes articles (%(skus)s) que le devis "
                    "%(quote)s envoyé au client %(customer)s et encore valable le %(date)s : elle y répond "
                    "peut-être. Vérifiez que les prix et remises du devis sont repris, puis clôturez le devis "
                    "pour qu'il ne puisse pas être accepté une seconde fois."
                )
                % {
                    "order": order.number,
                    "skus": ", ".join(skus),
                    "quote": quote.number,
                    "customer": chain.customer.name,
                    "date": order.date.strftime("%d/%m/%Y"),
                }
                + blocked,
                (
                    _order_ev(chain, products=skus),
                    Evidence(
                        "quote",
                        quote.number,
                        quote.id,
                        None,
                        {
                            "products": skus,
                            "date": quote.date.isoformat() if quote.date else "",
                            "valid_until": quote.valid_until.isoformat() if quote.valid_until else "",
                        },
                    ),
                ),
                proposal,
            )
        )
    return findings


def _take_open_quote(chain: Chain, quote) -> tuple[Proposal | None, str]:
    """The proposal giving a hand-keyed order the prices and discounts of the open quote it answers
    (an amendment, for the lines that differ) and closing the quote; made for a confirmed order whose
    differing lines are not invoiced yet, else the sentence says what blocks it."""
    order = chain.order
    by_product: dict[int, list] = defaultdict(list)
    for quoted in quote.lines:
        by_product[quoted.product.id].append(quoted)
    lines, changed = [], []
    for line in order.lines:
        same = by_product.get(line.product.id, [])
        if len(same) != 1:
            continue
        quoted = same[0]
        fields = {
            name: getattr(quoted, name)
            for name in ("unit_price", "discount_percent")
            if getattr(line, name) != getattr(quoted, name)
        }
        if fields:
            lines.append({"order_line_id": line.id, **fields})
            changed.append(line)
    if changed and order.status != "confirmed":
        return None, ""  # a draft order is edited directly
    billed = sorted({label for line in changed for label in _billed_by(chain, line.id)})
    if billed:
        return None, " " + gettext(
            "Ses lignes aux prix différents du devis sont déjà facturées (%(invoices)s) : un avenant ne peut "
            "plus en changer le prix."
        ) % {"invoices": ", ".join(billed)}
    values = {"order": order.number, "quote": quote.number}
    rationale = (
        gettext(
            "Modifier la commande %(order)s par avenant pour reprendre les prix et remises du devis %(quote)s "
            "(%(skus)s), puis clore le devis, auquel la commande répond."
        )
        % (values | {"skus": ", ".join(line.product.sku for line in changed)})
        if changed
        else gettext(
            "Clore le devis %(quote)s, auquel la commande %(order)s répond aux mêmes prix, pour qu'il ne "
            "puisse pas être accepté une seconde fois."
        )
        % values
    )
    return (
        Proposal(
            "align_order_with_quote",
            {"order_id": order.id, "quote_id": quote.id, "lines": lines},
            rationale,
            Decimal("0.7"),
        ),
        "",
    )
