"""The readable invoice: an A4 PDF in French, drawn with reportlab from the same `Invoice` as the XML.

What makes it fit for Factur-X (PDF/A-3b once `facturx.make_facturx` adds the XMP and the XML): the
shared pieces of `layout` (embedded subset fonts, RGB under an sRGB OutputIntent, invariant mode dated
by the invoice date, so the same invoice always gives the same bytes; every typed character through
`layout.markup`, see there).
"""

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Spacer, Table

from comptoir.einvoice.document import (
    NOTE_EARLY_PAYMENT_DISCOUNT,
    NOTE_LATE_PENALTIES,
    NOTE_RECOVERY_INDEMNITY,
    DocumentType,
    Framework,
    Invoice,
    Line,
    OperationNature,
    VatCategory,
    format_percent_fr,
)
from comptoir.einvoice.formats import NBSP, fr_date, fr_decimal, fr_money, fr_price
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
    iban_text,
    key_value_box,
    lines_table,
    markup,
    para,
    party_box,
    side_by_side,
    styles,
    table_style,
    unit_label,
)

TITLES = {
    DocumentType.INVOICE: "FACTURE",
    DocumentType.CREDIT_NOTE: "AVOIR",
    DocumentType.PREPAYMENT_INVOICE: "FACTURE D'ACOMPTE",
    DocumentType.CORRECTED_INVOICE: "FACTURE RECTIFICATIVE",
}
OPERATION_LABELS = {
    OperationNature.GOODS: "Livraison de biens",
    OperationNature.SERVICES: "Prestation de services",
    OperationNature.MIXED: "Opération mixte (livraison de biens et prestation de services)",
}
# UN/ECE Rec 20 codes as a French reader expects them.
CATEGORY_LABELS = {
    VatCategory.ZERO_RATED: "0 %",
    VatCategory.EXEMPT: "Exonéré",
    VatCategory.REVERSE_CHARGE: "Autoliq.",
    VatCategory.INTRA_EU_SUPPLY: "Exonéré",
    VatCategory.EXPORT: "Exonéré",
    VatCategory.OUT_OF_SCOPE: "Hors champ",
}


def _document_box(invoice: Invoice, st) -> Table:
    rows = [("N°", invoice.number), ("Date", fr_date(invoice.issue_date))]
    if invoice.delivery_date:
        label = (
            "Date de livraison"
            if invoice.operation_nature == OperationNature.GOODS
            else "Date de l'opération"
        )
        rows.append((label, fr_date(invoice.delivery_date)))
    if invoice.period_start and invoice.period_end:
        rows.append(("Période", f"{fr_date(invoice.period_start)} – {fr_date(invoice.period_end)}"))
    if invoice.due_date and not invoice.is_credit_note:
        rows.append(("Échéance", fr_date(invoice.due_date)))
    if invoice.order_reference:
        rows.append(("Votre commande", invoice.order_reference))
    if invoice.buyer_reference:
        rows.append(("Votre référence", invoice.buyer_reference))
    if invoice.despatch_reference:
        rows.append(("Bon de livraison", invoice.despatch_reference))
    if invoice.contract_reference:
        rows.append(("Contrat", invoice.contract_reference))
    return key_value_box(rows, st)


def _vat_label(category: VatCategory, rate: Decimal) -> str:
    if category == VatCategory.STANDARD:
        return format_percent_fr(rate)
    return CATEGORY_LABELS.get(category, str(category))


def _discount_label(line: Line) -> str:
    if line.allowances:
        percents = [a.percent for a in line.allowances if a.percent is not None]
        if len(percents) == len(line.allowances) == 1:
            return format_percent_fr(percents[0])
        return f"−{fr_money(line.allowance_total)}"
    if line.price_discount:
        return f"−{fr_price(line.price_discount)}{NBSP}€/u."
    return ""


def _lines_table(invoice: Invoice, st) -> Table:
    header = [
        para("Désignation", st["head"]),
        para("Qté", st["head_right"]),
        para("Unité", st["head"]),
        para("PU HT", st["head_right"]),
        para("Remise", st["head_right"]),
        para("TVA", st["head_right"]),
        para("Montant HT", st["head_right"]),
    ]
    data = [header]
    for line in invoice.lines:
        name = f"<b>{markup(line.name)}</b>"
        details = []
        if line.sku:
            details.append(f"Réf. {markup(line.sku)}")
        if line.description:
            details.append(markup(line.description))
        if line.exemption_reason:
            details.append(f"<i>{markup(line.exemption_reason)}</i>")
        if details:
            name += f"<br/><font size=7 color='#52606D'>{' — '.join(details)}</font>"
        unit_price = line.gross_price if line.gross_price is not None else line.net_price
        data.append(
            [
                para(name, st["cell"]),
                para(fr_decimal(line.quantity), st["cell_right"]),
                para(markup(unit_label(line.unit_code)), st["cell"]),
                para(fr_price(unit_price), st["cell_right"]),
                para(markup(_discount_label(line)), st["cell_right"]),
                para(markup(_vat_label(line.vat_category, line.vat_rate)), st["cell_right"]),
                para(fr_money(line.net_amount, invoice.currency), st["cell_right"]),
            ]
        )
    widths = [None, 16 * mm, 14 * mm, 21 * mm, 17 * mm, 17 * mm, 26 * mm]
    return lines_table(data, widths)


def _allowances_table(invoice: Invoice, st) -> Table | None:
    if not invoice.allowances_charges:
        return None
    data = [
        [
            para("Remises et frais sur le document", st["head"]),
            para("TVA", st["head_right"]),
            para("Montant HT", st["head_right"]),
        ]
    ]
    for item in invoice.allowances_charges:
        sign = "" if item.is_charge else "−"
        label = item.reason + (f" ({format_percent_fr(item.percent)})" if item.percent is not None else "")
        data.append(
            [
                para(markup(label), st["cell"]),
                para(markup(_vat_label(item.vat_category, item.vat_rate)), st["cell_right"]),
                para(f"{sign}{fr_money(item.amount, invoice.currency)}", st["cell_right"]),
            ]
        )
    table = Table(data, colWidths=[CONTENT_WIDTH - 43 * mm, 17 * mm, 26 * mm])
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


def _vat_table(invoice: Invoice, st) -> Table:
    data = [
        [para("TVA", st["head"]), para("Base HT", st["head_right"]), para("Montant TVA", st["head_right"])]
    ]
    for tax in invoice.taxes:
        label = _vat_label(tax.category, tax.rate)
        if tax.category != VatCategory.STANDARD:
            label = f"{label} ({tax.category})"
        data.append(
            [
                para(markup(label), st["cell"]),
                para(fr_money(tax.base, invoice.currency), st["cell_right"]),
                para(fr_money(tax.amount, invoice.currency), st["cell_right"]),
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


def _totals_table(invoice: Invoice, st) -> Table:
    totals = invoice.totals
    cur = invoice.currency
    rows = []
    if totals.allowance_total or totals.charge_total:
        rows.append(("Total des lignes HT", fr_money(totals.line_total, cur)))
        if totals.allowance_total:
            rows.append(("Remises globales", f"−{fr_money(totals.allowance_total, cur)}"))
        if totals.charge_total:
            rows.append(("Frais", fr_money(totals.charge_total, cur)))
    rows.append(("Total HT", fr_money(totals.tax_basis_total, cur)))
    rows.append(("Total TVA", fr_money(totals.tax_total, cur)))
    rows.append(("Total TTC", fr_money(totals.grand_total, cur)))
    if totals.prepaid_amount:
        rows.append(("Acomptes déduits", f"−{fr_money(totals.prepaid_amount, cur)}"))
    if totals.rounding_amount:
        rows.append(("Arrondi", fr_money(totals.rounding_amount, cur)))
    due_label = "Montant de l'avoir" if invoice.is_credit_note else "Net à payer"
    rows.append((due_label, fr_money(totals.due_amount, cur)))
    data = [[para(markup(label), st["cell"]), para(value, st["cell_right"])] for label, value in rows]
    data[-1] = [
        para(f"<b>{markup(rows[-1][0])}</b>", st["cell"]),
        para(f"<b>{rows[-1][1]}</b>", st["cell_right"]),
    ]
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


def tax_mentions(invoice: Invoice) -> list[str]:
    """The VAT mentions the law asks to print (CGI 242 nonies A, 283, 262 ter I, 262 I, 293 B)."""
    mentions = []
    for tax in invoice.taxes:
        reason = tax.exemption_reason
        if tax.category == VatCategory.REVERSE_CHARGE:
            text = reason if "autoliquidation" in reason.lower() else f"Autoliquidation {reason}".strip()
            mentions.append(f"{text.rstrip('.')} — TVA due par le preneur.")
        elif reason:
            mentions.append(reason if reason.endswith(".") else reason + ".")
    if invoice.vat_on_debits:
        mentions.append(
            "TVA acquittée sur les débits (option pour le paiement de la taxe d'après les débits)."
        )
    return mentions


def _references(invoice: Invoice) -> list[str]:
    refs = []
    for ref in invoice.preceding_invoices:
        when = f" du {fr_date(ref.issue_date)}" if ref.issue_date else ""
        if invoice.type_code in (DocumentType.CREDIT_NOTE, DocumentType.CORRECTED_INVOICE):
            refs.append(f"Facture rectifiée : N° {ref.number}{when}")
        elif invoice.framework == Framework.FINAL_AFTER_DEPOSIT:
            refs.append(f"Facture d'acompte déduite : N° {ref.number}{when}")
        else:
            refs.append(f"Facture de référence : N° {ref.number}{when}")
    if invoice.is_credit_note and invoice.reason:
        refs.append(f"Motif de l'avoir : {invoice.reason}")
    return refs


def _payment_lines(invoice: Invoice, legal: dict) -> list[str]:
    lines = []
    if invoice.payment_terms:
        lines.append(f"<b>Conditions de paiement :</b> {markup(invoice.payment_terms)}")
    if invoice.due_date and not invoice.is_credit_note:
        lines.append(f"<b>Date d'échéance :</b> {fr_date(invoice.due_date)}")
    means = invoice.payment_means
    if means is not None:
        label = {"30": "Virement", "58": "Virement SEPA", "59": "Prélèvement SEPA", "49": "Prélèvement"}.get(
            means.code, "Paiement"
        )
        iban = means.iban or legal.get("iban", "")
        bic = means.bic or legal.get("bic", "")
        text = f"<b>Mode de paiement :</b> {label}"
        if iban:
            text += f" — IBAN {markup(iban_text(iban))}"
        if bic:
            text += f" — BIC {markup(bic)}"
        lines.append(text)
        lines.append(f"<b>Référence à rappeler :</b> {markup(invoice.effective_payment_reference)}")
    return lines


def _legal_notes(invoice: Invoice) -> list[str]:
    order = {NOTE_EARLY_PAYMENT_DISCOUNT: 0, NOTE_LATE_PENALTIES: 1, NOTE_RECOVERY_INDEMNITY: 2}
    notes = sorted(invoice.notes, key=lambda n: order.get(n.subject_code, 3))
    return [n.text for n in notes]


def render_pdf(invoice: Invoice, seller_legal: dict) -> bytes:
    """The invoice as an A4 PDF, byte-identical for identical input.

    `seller_legal` completes the seller's mentions that EN 16931 has no field for:
    legal_form ("SAS", "SARL", "EI"…), share_capital (Decimal), rcs_city, and optionally
    phone, email, website, iban, bic (used when the invoice has no payment means of its own).
    """
    st = styles()
    legal = dict(seller_legal or {})
    title = TITLES.get(invoice.type_code, "FACTURE")

    story: list = [header(invoice.seller, legal, title, _document_box(invoice, st), st), Spacer(1, 6 * mm)]
    buyer_box = party_box("CLIENT", buyer_lines(invoice.buyer), st, HALF_WIDTH)
    if invoice.ship_to is not None:
        ship_lines = ([f"<b>{markup(invoice.ship_to.name)}</b>"] if invoice.ship_to.name else []) + [
            markup(line) for line in address_lines(invoice.ship_to.address)
        ]
        left = party_box("ADRESSE DE LIVRAISON", ship_lines, st, HALF_WIDTH)
    else:
        left = Spacer(1, 1)
    parties = side_by_side(left, buyer_box)
    story += [parties, Spacer(1, 5 * mm)]

    intro = [f"<b>Opération :</b> {markup(OPERATION_LABELS[invoice.operation_nature])}"]
    intro += [f"<b>{markup(text)}</b>" for text in _references(invoice)]
    story += [para(text, st["base"]) for text in intro]
    story.append(Spacer(1, 3 * mm))

    story.append(_lines_table(invoice, st))
    allowances = _allowances_table(invoice, st)
    if allowances is not None:
        story += [Spacer(1, 3 * mm), allowances]
    story.append(Spacer(1, 4 * mm))

    summary = Table(
        [[_vat_table(invoice, st), _totals_table(invoice, st)]],
        colWidths=[CONTENT_WIDTH - 72 * mm, 72 * mm],
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

    payment = _payment_lines(invoice, legal)
    if payment:
        story.append(CondPageBreak(25 * mm))
        story.append(para("Règlement", st["section"]))
        story += [para(text, st["mention"]) for text in payment]
        story.append(Spacer(1, 3 * mm))

    mentions = [markup(text) for text in tax_mentions(invoice)] + [
        markup(text) for text in _legal_notes(invoice)
    ]
    if mentions:
        block = [para("Mentions légales", st["section"])] + [para(text, st["mention"]) for text in mentions]
        story.append(KeepTogether(block))

    return build(
        story,
        document_date=invoice.issue_date,
        footer=footer_lines(invoice.seller, legal),
        running_title=f"{title.capitalize()} {invoice.number} du {fr_date(invoice.issue_date)}",
        title=f"{title.capitalize()} {invoice.number}",
        author=invoice.seller.name,
        subject=f"{title.capitalize()} {invoice.number} du {fr_date(invoice.issue_date)} — {invoice.buyer.name}",
        keywords=["Factur-X", title.capitalize(), invoice.number],
    )
