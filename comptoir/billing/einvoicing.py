"""From an issued Comptoir invoice to its e-invoice (EN 16931): the adapter to `comptoir.einvoice`.

Everything is read from what the invoice froze at issue (seller and buyer snapshots, lines, VAT rows,
totals), never from the live customer or company records, so the same invoice always yields the same
XML and the same PDF. One exception, the logo: an image is no legal mention and too heavy for the
snapshot, so the Factur-X PDF carries the company's logo as it is when the PDF is first rendered, and
that PDF is archived, so it never changes after.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.billing import discounting, errors
from comptoir.billing.models import Invoice, InvoiceArchive
from comptoir.core import rows, vat_nature
from comptoir.core.errors import Conflict, NotFound
from comptoir.einvoice import document as ei
from comptoir.einvoice.cii import to_cii
from comptoir.einvoice.facturx import make_facturx
from comptoir.einvoice.ubl import to_ubl
from comptoir.parties import selectors as parties_selectors

TYPE_CODES = {
    Invoice.Kind.INVOICE: ei.DocumentType.INVOICE,
    Invoice.Kind.CREDIT_NOTE: ei.DocumentType.CREDIT_NOTE,
    Invoice.Kind.DEPOSIT: ei.DocumentType.PREPAYMENT_INVOICE,
}
NATURES = {
    Invoice.Nature.GOODS: ei.OperationNature.GOODS,
    Invoice.Nature.SERVICES: ei.OperationNature.SERVICES,
    Invoice.Nature.MIXED: ei.OperationNature.MIXED,
}
# UN/ECE Recommendation 20 unit codes for the units users type (lower-case, singular and plural).
UNIT_CODES = {
    "pièces": "H87",
    "pieces": "H87",
    "pce": "H87",
    "pc": "H87",
    "pcs": "H87",
    "unités": "C62",
    "unite": "C62",
    "unites": "C62",
    "heures": "HUR",
    "hr": "HUR",
    "minute": "MIN",
    "minutes": "MIN",
    "min": "MIN",
    "jours": "DAY",
    "j": "DAY",
    "journée": "DAY",
    "semaine": "WEE",
    "semaines": "WEE",
    "mois": "MON",
    "an": "ANN",
    "année": "ANN",
    "kilo": "KGM",
    "kilogramme": "KGM",
    "kilogrammes": "KGM",
    "gramme": "GRM",
    "grammes": "GRM",
    "t": "TNE",
    "tonne": "TNE",
    "tonnes": "TNE",
    "mètre": "MTR",
    "mètres": "MTR",
    "metre": "MTR",
    "ml": "MTR",  # mètre linéaire, as building trades write it
    "cm": "CMT",
    "mm": "MMT",
    "km": "KMT",
    "mètre carré": "MTK",
    "m3": "MTQ",
    "m³": "MTQ",
    "mètre cube": "MTQ",
    "litres": "LTR",
    "cl": "CLT",
    "paire": "PR",
    "paires": "PR",
    "douzaine": "DZN",
    "kit": "SET",
    "jeu": "SET",
    "ensemble": "SET",
    "boîtes": "XBX",
    "boite": "XBX",
    "cartons": "XCT",
    "sac": "XBG",
    "rouleau": "XRO",
    "palette": "XPX",
    "pièce": "H87",
    "piece": "H87",
    "unité": "C62",
    "u": "C62",
    "heure": "HUR",
    "h": "HUR",
    "jour": "DAY",
    "kg": "KGM",
    "g": "GRM",
    "m": "MTR",
    "m2": "MTK",
    "m²": "MTK",
    "l": "LTR",
    "litre": "LTR",
    "lot": "LO",
    # Packaging units come from UN/ECE Rec 21, prefixed with X in the Rec 20 list EN 16931 uses.
    "boîte": "XBX",
    "carton": "XCT",
    "forfait": "C62",
}
# EAS schemes (CEF code list) of VAT numbers, by country: the buyer's electronic address abroad.
VAT_SCHEMES = {
    "AT": "9914",
    "BE": "9925",
    "BG": "9926",
    "CY": "9928",
    "CZ": "9929",
    "DE": "9930",
    "EE": "9931",
    "ES": "9920",
    "GR": "9933",
    "EL": "9933",
    "HR": "9934",
    "HU": "9910",
    "IE": "9935",
    "IT": "0211",
    "LT": "9937",
    "LU": "9938",
    "LV": "9939",
    "MT": "9943",
    "NL": "9944",
    "PL": "9945",
    "PT": "9946",
    "RO": "9947",
    "SI": "9949",
    "SK": "9950",
    # Outside the EU: UK VAT number; the Swiss UID (CHE…, without the MWST/TVA/IVA suffix) and the
    # Norwegian organisation number (the 9 digits of NO…MVA) are handled in _vat_endpoint.
    "GB": "9932",
    "FR": "9957",
}


CREDIT_NOTE_TERMS = "Avoir en votre faveur : à déduire de votre prochain règlement, ou remboursé sur demande."


def _address(data: dict) -> ei.Address:
    lines = tuple(x for x in (data.get("street", ""), data.get("street2", "")) if x)
    return ei.Address(lines, data.get("postal_code", ""), data.get("city", ""), data.get("country") or "FR")


def buyer_details(customer, order=None) -> dict:
    """The structured buyer snapshot stored on the invoice at issue, with the delivery address when
    the goods went elsewhere than the billing address."""
    details = {
        "street": customer.street,
        "street2": customer.street2,
        "postal_code": customer.postal_code,
        "city": customer.city,
        "country": customer.country or "FR",
        "siret": customer.siret,
        "email": customer.email,
        "code": customer.code,
        "einvoice_address": customer.einvoice_address,
        "einvoice_scheme": customer.einvoice_scheme,
    }
    place = getattr(order, "delivery_address", None) if order is not None else None
    if place is not None:
        details["delivery"] = {
            "name": place.label,
            "street": place.street,
            "street2": place.street2,
            "postal_code": place.postal_code,
            "city": place.city,
            "country": place.country or "FR",
        }
    return details


def _seller(invoice: Invoice) -> ei.Party:
    s = invoice.seller
    legal = " — ".join(
        part
        for part in (
            f"{s.get('legal_form', '')} au capital de {_euros(s['share_capital'])}".strip()
            if s.get("share_capital")
            else s.get("legal_form", ""),
            f"RCS {s['rcs_city']} {s['siren']}" if s.get("rcs_city") else f"SIREN {s.get('siren', '')}",
        )
        if part
    )
    return ei.Party(
        name=s.get("name", ""),
        address=_address(s),
        siren=s.get("siren", ""),
        siret=s.get("siret", ""),
        vat_number=s.get("vat_number", ""),
        legal_info=legal,
        phone=s.get("phone", ""),
        email=s.get("email", ""),
    )


def _euros(value) -> str:
    text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text.removesuffix(',00')} €"


def _buyer(invoice: Invoice) -> ei.Party:
    d = invoice.buyer_details
    country = d.get("country") or "FR"
    address, scheme = "", ei.SIREN_SCHEME
    if d.get("einvoice_address"):
        address, scheme = d["einvoice_address"], d.get("einvoice_scheme") or ei.SIREN_SCHEME
    elif country != "FR" and invoice.buyer_vat_number:
        address, scheme = _vat_endpoint(invoice.buyer_vat_number)
    return ei.Party(
        name=invoice.buyer_name,
        address=_address(d),
        siren=invoice.buyer_siren,
        siret=d.get("siret", ""),
        vat_number=invoice.buyer_vat_number,
        electronic_address=address,
        electronic_address_scheme=scheme,
        email=d.get("email", ""),
    )


def _vat_endpoint(vat_number: str) -> tuple[str, str]:
    """The electronic address (BT-49) a foreign buyer's VAT number gives, with its EAS scheme; ("", scheme)
    when no scheme identifies it (another country's number): an international invoice may go without."""
    prefix = vat_number[:2]
    if prefix == "CH":  # CHE123456789MWST → the UID CHE123456789, scheme 0183
        return vat_number[:12], "0183"
    if prefix == "NO":  # NO123456789MVA → the organisation number, scheme 0192
        return vat_number[2:11], "0192"
    if prefix in VAT_SCHEMES:
        return vat_number, VAT_SCHEMES[prefix]
    return "", ei.SIREN_SCHEME


def _line(line, *, lump_sum: bool = False) -> ei.Line:
    # A schedule step (deposit or milestone) bills one lump sum, not a number of the product's units.
    unit_code = "C62" if lump_sum else UNIT_CODES.get((line.product.unit or "").strip().lower(), "C62")
    return ei.line_with_discount(
        id=str(line.position or line.pk),
        name=line.description,
        quantity=line.quantity.normalize() if line.quantity == line.quantity.to_integral() else line.quantity,
        unit_price=line.unit_price,
        vat_category=ei.VatCategory(line.vat_category),
        vat_rate=line.vat_rate,
        discount_percent=line.discount_percent,
        net_amount=line.net_amount,
        unit_code=unit_code,
        sku=line.product.sku,
        exemption_reason=line.vat_exemption_reason,
        exemption_code=line.product.vat_exemption_code if line.vat_exemption_reason else "",
    )


def _performance(invoice: Invoice) -> tuple:
    """(BT-72, BT-73, BT-74): when the goods were delivered or the services performed.

    A period of services goes to BG-14, its last day to BT-72; one day, or the delivery date of goods, to BT-72. A credit note
    takes the dates of the invoice it corrects. With nothing stated, the operation is taken as done on
    the document's date and BT-72 says so (no empty delivery block, PEPPOL-EN16931-R008); a deposit
    invoice, paid before the operation, has no such date."""
    source = invoice.corrects if invoice.corrects_id and not invoice.delivery_date else invoice
    start, end = source.service_period_start, source.service_period_end
    if start and end and start != end:
        # BT-72 is also "the date the supply was completed": the end of the period fills the delivery block.
        return end, start, end
    performed = source.delivery_date or start
    if performed is None and invoice.kind != Invoice.Kind.DEPOSIT:
        performed = source.date
    return performed, None, None


def _allowance_charge(item) -> ei.AllowanceCharge:
    return ei.AllowanceCharge(
        is_charge=item.is_charge,
        amount=item.amount,
        vat_category=ei.VatCategory(item.vat_category),
        vat_rate=item.vat_rate,
        reason=item.reason,
        reason_code=item.reason_code,
        percent=item.percent,
        base_amount=item.base_amount,
    )


def to_document(invoice: Invoice, *, rows=None, taxes=None, deductions=None, adjustments=None) -> ei.Invoice:
    """The EN 16931 view of an issued invoice or credit note.

    `rows` (lines with product and delivery), `taxes` and `deductions` (with their deposit) may be given
    by a caller that already holds them, such as issue_invoice, and so may its `adjustments` (document-level
    allowances and charges, BG-20/BG-21)."""
    lump_sum = invoice.milestone_id is not None
    if rows is None:
        rows = invoice.lines.select_related("product", "delivery_line__delivery")
    rows = sorted(rows, key=lambda line: (line.position, line.pk))
    lines = tuple(_line(line, lump_sum=lump_sum) for line in rows)
    exemptions = {}
    # The breakdown in InvoiceTax's own order, whoever supplies it: the XML archived at issue and the one
    # embedded in the PDF rendered later must be the same bytes.
    tax_rows = sorted(
        invoice.taxes.all() if taxes is None else taxes, key=lambda t: (-t.vat_rate, t.category)
    )
    taxes = []
    for tax in tax_rows:
        category = ei.VatCategory(tax.category)
        reason, code = "", ""
        if category in ei.CATEGORIES_WITH_EXEMPTION:
            reason, code = ei.DEFAULT_EXEMPTIONS.get(category, (tax.exemption_reason, ""))
            if tax.exemption_reason:
                reason = tax.exemption_reason
            if tax.exemption_code:
                code = tax.exemption_code
            exemptions[category] = (reason, code)
        taxes.append(ei.Tax(category, tax.vat_rate, tax.base, tax.amount, reason, code))
    # A final invoice after deposits (fr-compliance §5.4): the whole operation, the deposits already
    # invoiced in BT-113 so that BT-115 is the balance, and a BG-3 reference to each deposit invoice.
    deposits = sorted(
        {
            d.deposit
            for d in (
                invoice.deposit_deductions.select_related("deposit") if deductions is None else deductions
            )
        },
        key=lambda d: (d.date, d.number),
    )
    if adjustments is None:
        adjustments = invoice.allowances_charges.all()
    allowances_charges = tuple(
        _allowance_charge(item) for item in sorted(adjustments, key=lambda a: (a.position, a.pk))
    )
    totals = ei.Totals(
        line_total=invoice.total_lines,
        tax_basis_total=invoice.total_untaxed,
        allowance_total=invoice.total_allowances,
        charge_total=invoice.total_charges,
        tax_total=invoice.total_vat,
        grand_total=invoice.total,
        prepaid_amount=invoice.deposits_deducted,
        due_amount=invoice.amount_payable,
    )
    s = invoice.seller
    preceding = tuple(ei.InvoiceReference(d.number, d.date) for d in deposits)
    if invoice.corrects_id:
        preceding = (ei.InvoiceReference(invoice.corrects.number, invoice.corrects.date),)
    order = invoice.order
    details = invoice.buyer_details
    ship_to = None
    if details.get("delivery"):
        ship_to = ei.DeliveryLocation(_address(details["delivery"]), details["delivery"].get("name", ""))
    elif any(t.category == ei.VatCategory.INTRA_EU_SUPPLY for t in taxes):
        # BR-IC-12: an intra-EU supply states the country the goods went to.
        ship_to = ei.DeliveryLocation(_address(details), invoice.buyer_name)
    performed, period_start, period_end = _performance(invoice)
    credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    deliveries = sorted({line.delivery_line.delivery.number for line in rows if line.delivery_line_id})
    return ei.Invoice(
        number=invoice.number,
        type_code=TYPE_CODES[invoice.kind],
        issue_date=invoice.date,
        seller=_seller(invoice),
        buyer=_buyer(invoice),
        operation_nature=NATURES.get(invoice.operation_nature, ei.OperationNature.GOODS),
        framework=ei.Framework.FINAL_AFTER_DEPOSIT if deposits else ei.Framework.STANDARD,
        lines=lines,
        taxes=tuple(taxes),
        totals=totals,
        notes=ei.french_payment_notes(
            late_penalty_rate=Decimal(s["late_penalty_rate"]) if s.get("late_penalty_rate") else None,
            early_payment_discount=_early_discount_note(invoice, taxes)
            or s.get("early_payment_discount", ""),
        ),
        # A credit note is owed to the customer: no due date or account "to pay" (BR-CO-25 is met by
        # its terms, BT-20).
        due_date=None if credit_note else invoice.due_date,
        delivery_date=performed,
        period_start=period_start,
        period_end=period_end,
        ship_to=ship_to,
        # BT-13 is the buyer's purchase order: its number when the customer gave one, never our own order
        # number (the buyer's system would look for a purchase order that does not exist).
        order_reference=order.customer_reference if order else "",
        despatch_reference=deliveries[0] if len(deliveries) == 1 else "",
        preceding_invoices=preceding,
        payment_terms=CREDIT_NOTE_TERMS if credit_note else invoice.payment_terms,
        payment_means=ei.PaymentMeans(
            iban=s.get("iban", ""), bic=s.get("bic", ""), account_name=s.get("name", "")
        )
        if s.get("iban") and not credit_note
        else None,
        reason=invoice.reason if credit_note else "",
        allowances_charges=allowances_charges,
        vat_on_debits=bool(s.get("vat_on_debits")) and invoice.operation_nature != Invoice.Nature.GOODS,
        # The BAR note, decided where the VAT returns and e-reporting decide it (core.vat_nature).
        processing_type=vat_nature.processing_type(buyer_of(invoice), (t.category for t in taxes)),
    )


def buyer_of(invoice: Invoice) -> vat_nature.Buyer:
    """The buyer as the invoice froze it, for the VAT classification."""
    return vat_nature.Buyer(
        country=(invoice.buyer_details or {}).get("country") or "FR",
        siren=invoice.buyer_siren,
        vat_number=invoice.buyer_vat_number,
    )


def _early_discount_note(invoice: Invoice, taxes: list[ei.Tax]) -> str:
    """The escompte this invoice offers, as its AAB note (the EN 16931 profile has no structured
    discount terms: ApplicableTradePaymentDiscountTerms is Factur-X EXTENDED only)."""
    if invoice.early_discount_until is None or invoice.early_discount_percent <= 0:
        return ""
    discount = discounting.early_discount(
        ((t.rate, str(t.category), t.base) for t in taxes), invoice.early_discount_percent
    )
    return discounting.terms_text(
        discount, until=invoice.early_discount_until, payable=invoice.amount_payable
    )


def seller_legal(invoice: Invoice) -> dict:
    s = invoice.seller
    return {
        "legal_form": s.get("legal_form", ""),
        "share_capital": Decimal(s["share_capital"]) if s.get("share_capital") else None,
        "rcs_city": s.get("rcs_city", ""),
        "late_penalty_rate": Decimal(s["late_penalty_rate"]) if s.get("late_penalty_rate") else None,
        "iban": s.get("iban", ""),
        "bic": s.get("bic", ""),
        "phone": s.get("phone", ""),
        "email": s.get("email", ""),
    }


def problems(invoice: Invoice, **held) -> list[str]:
    """Why this invoice would not make a valid e-invoice (French messages); empty when it would.

    `held`: the rows the caller already has, passed on to `to_document`."""
    # Kept on the instance so that `freeze` right after does not rebuild it (issue is a hot path).
    invoice._einvoice_document = to_document(invoice, **held)
    return ei.consistency_errors(invoice._einvoice_document)


def freeze(invoice: Invoice) -> InvoiceArchive:
    """Store the CII XML of an invoice being issued, with its SHA-256 (inside the issue transaction)."""
    document = getattr(invoice, "_einvoice_document", None) or to_document(invoice)
    xml = to_cii(document)
    return rows.insert_one(
        InvoiceArchive(invoice=invoice, cii_xml=xml, cii_sha256=hashlib.sha256(xml).hexdigest())
    )


def cii_xml(invoice: Invoice) -> bytes:
    return bytes(invoice.archive.cii_xml)


def ubl_xml(invoice: Invoice) -> bytes:
    return to_ubl(to_document(invoice))


def facturx_pdf(invoice: Invoice) -> bytes:
    """The Factur-X PDF/A-3 of an issued invoice: rendered once from the frozen data, then archived."""
    archive = InvoiceArchive.objects.get(invoice=invoice)
    if archive.pdf:
        return bytes(archive.pdf)
    legal = seller_legal(invoice)
    company = parties_selectors.company()
    if company is not None and company.logo:
        legal["logo"] = bytes(company.logo)
    pdf = make_facturx(to_document(invoice), legal)
    with transaction.atomic():
        # Only the first rendering is kept; a concurrent one produced the same bytes anyway.
        InvoiceArchive.objects.filter(pk=archive.pk, pdf_sha256="").update(
            pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_created_at=timezone.now()
        )
    return bytes(InvoiceArchive.objects.get(pk=archive.pk).pdf)


@dataclass(frozen=True)
class EInvoiceFile:
    """One e-invoice file of an issued document, ready to hand out (web download, API, export)."""

    body: bytes
    content_type: str
    filename: str


FACTURX, CII, UBL = "facturx", "cii", "ubl"
FORMATS = (FACTURX, CII, UBL)


def einvoice_file(invoice: Invoice, fmt: str) -> EInvoiceFile:
    """The issued invoice or credit note as it left Comptoir: the Factur-X PDF/A-3 (rendered and
    archived on first request), the CII XML archived at issue, or the UBL 2.1 XML.

    A draft or cancelled document has none: 409 `invoice_not_issued`. An unknown format: 404.
    """
    if fmt not in FORMATS:
        code, message = errors.EINVOICE_UNKNOWN_FORMAT
        raise NotFound(code, message, format=str(fmt)[:20])
    if invoice.status != Invoice.Status.ISSUED:
        code, message = errors.EINVOICE_NOT_ISSUED
        raise Conflict(code, message, invoice=str(invoice))
    if fmt == FACTURX:
        return EInvoiceFile(facturx_pdf(invoice), "application/pdf", f"{invoice.number}.pdf")
    if fmt == CII:
        return EInvoiceFile(cii_xml(invoice), "application/xml", f"{invoice.number}-cii.xml")
    return EInvoiceFile(ubl_xml(invoice), "application/xml", f"{invoice.number}-ubl.xml")
