"""The commercial documents as A4 PDFs: quote, order confirmation, delivery note.

Drawn from the same pieces as the invoice (`layout`: fonts, page frame, company block, footer with the
legal identity), so every document that leaves Comptoir looks the same. Plain dataclasses in, bytes out;
no Django. The caller (sales.printing, stock.printing) fills `CommercialDocument` from its models.

The text is French: customers carry no language in Comptoir yet, so there is nothing to choose from.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, Table

from comptoir.einvoice.document import Party, VatCategory, format_percent_fr
from comptoir.einvoice.formats import fr_date, fr_decimal, fr_money, fr_price
from comptoir.einvoice.layout import (
    ACCENT,
    CONTENT_WIDTH,
    HALF_WIDTH,
    RULE,
    ZEBRA,
    address_lines,
    build,
    buyer_lines,
    footer_lines,
    header,
    key_value_box,
    lines_table,
    markup,
    para,
    party_box,
    side_by_side,
    styles,
    table_style,
)


class Kind(StrEnum):
    QUOTE = "quote"
    ORDER = "order"
    DELIVERY = "delivery"


TITLES = {Kind.QUOTE: "DEVIS", Kind.ORDER: "CONFIRMATION DE COMMANDE", Kind.DELIVERY: "BON DE LIVRAISON"}
SIGNATURES = {
    Kind.QUOTE: (
        "Bon pour accord",
        "Date, nom, signature et cachet du client, précédés de « Bon pour accord »",
    ),
    Kind.DELIVERY: ("Reçu en bon état", "Date, nom et signature du destinataire ; réserves éventuelles"),
}


@dataclass(frozen=True)
class PrintedLine:
    name: str
    quantity: Decimal
    unit: str = ""  # as the catalog names it ("pièce", "kg", "h")
    sku: str = ""
    description: str = ""
    # Priced documents only (quote, order); a delivery note prints quantities.
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal("0")
    vat_rate: Decimal = Decimal("0")
    vat_category: str = VatCategory.STANDARD
    net_amount: Decimal | None = None
    ordered: Decimal | None = None  # delivery note: the quantity ordered, beside what is delivered


@dataclass(frozen=True)
class PrintedTax:
    rate: Decimal
    category: str
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class CommercialDocument:
    kind: Kind
    number: str
    date: date
    seller: Party
    buyer: Party
    seller_legal: dict = field(default_factory=dict)
    ship_to: Party | None = None
    references: tuple[tuple[str, str], ...] = ()  # (label, value) under the number and date
    lines: tuple[PrintedLine, ...] = ()
    taxes: tuple[PrintedTax, ...] = ()
    total_untaxed: Decimal | None = None
    total_vat: Decimal | None = None
    total: Decimal | None = None
    currency: str = "EUR"
    payment_terms: str = ""
    note: str = ""
    mentions: tuple[str, ...] = ()

    @property
    def priced(self) -> bool:
        return self.kind != Kind.DELIVERY

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def _vat_label(category: str, rate: Decimal) -> str:
    return format_percent_fr(rate) if category == VatCategory.STANDARD else "0 %"


def _line_name(line: PrintedLine) -> str:
    name = f"<b>{markup(line.name)}</b>"
    details = []
    if line.sku:
        details.append(f"Réf. {markup(line.sku)}")
    if line.description and line.description != line.name:
        details.append(markup(line.description))
    if details:
        name += f"<br/><font size=7 color='#52606D'>{' — '.join(details)}</font>"
    return name


def _lines_table(doc: CommercialDocument, st) -> Table:
    if doc.priced:
        header_row = [
            para("Désignation", st["head"]),
            para("Qté", st["head_right"]),
            para("Unité", st["head"]),
            para("PU HT", st["head_right"]),
            para("Remise", st["head_right"]),
            para("TVA", st["head_right"]),
            para("Montant HT", st["head_right"]),
        ]
        widths = [None, 16 * mm, 14 * mm, 21 * mm, 17 * mm, 17 * mm, 26 * mm]
    else:
        header_row = [
            para("Désignation", st["head"]),
            para("Commandé", st["head_right"]),
            para("Livré", st["head_right"]),
            para("Unité", st["head"]),
        ]
        widths = [None, 24 * mm, 24 * mm, 18 * mm]
    data = [header_row]
    for line in doc.lines:
        if doc.priced:
            discount = format_percent_fr(line.discount_percent) if line.discount_percent else ""
            data.append(
                [
                    para(_line_name(line), st["cell"]),
                    para(fr_decimal(line.quantity), st["cell_right"]),
                    para(markup(line.unit), st["cell"]),
                    para(fr_price(line.unit_price or Decimal("0")), st["cell_right"]),
                    para(discount, st["cell_right"]),
                    para(_vat_label(line.vat_category, line.vat_rate), st["cell_right"]),
                    para(fr_money(line.net_amount or Decimal("0"), doc.currency), st["cell_right"]),
                ]
            )
        else:
            data.append(
                [
                    para(_line_name(line), st["cell"]),
                    para(fr_decimal(line.ordered) if line.ordered is not None else "", st["cell_right"]),
                    para(f"<b>{fr_decimal(line.quantity)}</b>", st["cell_right"]),
                    para(markup(line.unit), st["cell"]),
                ]
            )
    return lines_table(data, widths)


def _vat_table(doc: CommercialDocument, st) -> Table:
    data = [
        [para("TVA", st["head"]), para("Base HT", st["head_right"]), para("Montant TVA", st["head_right"])]
    ]
    for tax in doc.taxes:
        data.append(
            [
                para(_vat_label(tax.category, tax.rate), st["cell"]),
                para(fr_money(tax.base, doc.currency), st["cell_right"]),
                para(fr_money(tax.amount, doc.currency), st["cell_right"]),
            ]
        )
    table = Table(data, colWidths=[30 * mm, 28 * mm, 26 * mm], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _totals_table(doc: CommercialDocument, st) -> Table:
    rows = [
        ("Total HT", fr_money(doc.total_untaxed or Decimal("0"), doc.currency)),
        ("Total TVA", fr_money(doc.total_vat or Decimal("0"), doc.currency)),
        ("Total TTC", fr_money(doc.total or Decimal("0"), doc.currency)),
    ]
    data = [[para(label, st["cell"]), para(value, st["cell_right"])] for label, value in rows[:-1]]
    data.append([para(f"<b>{rows[-1][0]}</b>", st["cell"]), para(f"<b>{rows[-1][1]}</b>", st["cell_right"])])
    table = Table(data, colWidths=[38 * mm, 32 * mm], hAlign="RIGHT")
    table.setStyle(
        table_style(
            [
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), ZEBRA),
                ("BOX", (0, -1), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _signature_box(kind: Kind, st) -> Table:
    title, hint = SIGNATURES[kind]
    data = [[para(f"<b>{markup(title)}</b>", st["section"])], [para(markup(hint), st["small"])], [""]]
    table = Table(data, colWidths=[85 * mm], rowHeights=[None, None, 26 * mm], hAlign="RIGHT")
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def render_commercial_pdf(doc: CommercialDocument) -> bytes:
    """The document as an A4 PDF, byte-identical for identical input (dated by the document's date)."""
    st = styles()
    legal = dict(doc.seller_legal or {})
    rows = [("N°", doc.number), ("Date", fr_date(doc.date)), *doc.references]
    story: list = [header(doc.seller, legal, doc.title, key_value_box(rows, st), st), Spacer(1, 6 * mm)]

    buyer_box = party_box("CLIENT", buyer_lines(doc.buyer), st, HALF_WIDTH)
    if doc.ship_to is not None:
        ship_lines = ([f"<b>{markup(doc.ship_to.name)}</b>"] if doc.ship_to.name else []) + [
            markup(line) for line in address_lines(doc.ship_to.address)
        ]
        left = party_box("ADRESSE DE LIVRAISON", ship_lines, st, HALF_WIDTH)
    else:
        left = Spacer(1, 1)
    story += [side_by_side(left, buyer_box), Spacer(1, 5 * mm)]

    story += [_lines_table(doc, st), Spacer(1, 4 * mm)]
    if doc.priced:
        summary = Table(
            [[_vat_table(doc, st), _totals_table(doc, st)]], colWidths=[CONTENT_WIDTH - 72 * mm, 72 * mm]
        )
        summary.setStyle(
            table_style(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        story += [KeepTogether([summary]), Spacer(1, 5 * mm)]

    if doc.payment_terms:
        story.append(para(f"<b>Conditions de paiement :</b> {markup(doc.payment_terms)}", st["mention"]))
    if doc.note:
        story.append(para(markup(doc.note).replace("\n", "<br/>"), st["mention"]))
    if doc.mentions:
        block = [para("Mentions légales", st["section"])]
        block += [para(markup(text), st["mention"]) for text in doc.mentions]
        story += [Spacer(1, 3 * mm), KeepTogether(block)]
    if doc.kind in SIGNATURES:
        story += [CondPageBreak(40 * mm), Spacer(1, 5 * mm), _signature_box(doc.kind, st)]

    name = doc.title.capitalize()
    return build(
        story,
        document_date=doc.date,
        footer=footer_lines(doc.seller, legal),
        running_title=f"{name} {doc.number} du {fr_date(doc.date)}",
        title=f"{name} {doc.number}",
        author=doc.seller.name,
        subject=f"{name} {doc.number} du {fr_date(doc.date)} — {doc.buyer.name}",
        keywords=[name, doc.number],
    )
