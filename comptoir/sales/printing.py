"""The quote and the order confirmation as PDFs: the models read once, handed to `einvoice.commercial_pdf`.

Drafts print too (a quote is often read before it is sent); the PDF is made on request from the document
as it is now and is not kept here: what leaves Comptoir by e-mail is kept in the archive.
"""

from dataclasses import dataclass

from comptoir.core.errors import DomainError
from comptoir.core.taxes import document_totals
from comptoir.einvoice import document as ei
from comptoir.einvoice.commercial_pdf import (
    CommercialDocument,
    Kind,
    PrintedLine,
    PrintedTax,
    render_commercial_pdf,
)
from comptoir.einvoice.formats import fr_date
from comptoir.parties import errors as party_errors
from comptoir.parties import selectors as parties
from comptoir.sales.models import Order, Quote


@dataclass(frozen=True)
class PdfFile:
    """A document's PDF ready to hand out (web download, API, e-mail attachment)."""

    body: bytes
    filename: str
    content_type: str = "application/pdf"


def _address(record) -> ei.Address:
    lines = tuple(x for x in (record.street, record.street2) if x)
    return ei.Address(lines, record.postal_code, record.city, record.country or "FR")


def seller_party():
    """The company as every printed document names it, with the mentions EN 16931 has no field for."""
    company = parties.company()
    if company is None:
        raise DomainError(*party_errors.COMPANY_MISSING)
    party = ei.Party(
        name=company.legal_name,
        address=_address(company),
        siren=company.siren,
        siret=company.siret,
        vat_number=company.vat_number,
        phone=company.phone,
        email=company.email,
    )
    legal = {
        "legal_form": company.legal_form,
        "share_capital": company.share_capital,
        "rcs_city": company.rcs_city,
        "phone": company.phone,
        "email": company.email,
        "logo": bytes(company.logo or b""),
    }
    return party, legal, company


def buyer_party(customer) -> ei.Party:
    return ei.Party(
        name=customer.name,
        address=_address(customer),
        siren=customer.siren,
        vat_number=customer.vat_number,
    )


def ship_to(place) -> ei.Party | None:
    return None if place is None else ei.Party(name=place.label, address=_address(place))


def payment_terms(customer) -> str:
    if customer.payment_days == 0:
        return "Paiement à réception de facture"
    text = f"Paiement à {customer.payment_days} jours"
    return text + (" fin de mois" if customer.payment_end_of_month else " date de facture")


def _priced_lines(lines) -> tuple[tuple[PrintedLine, ...], tuple[PrintedTax, ...]]:
    printed = tuple(
        PrintedLine(
            name=line.description,
            sku=line.product.sku,
            quantity=line.quantity,
            unit=line.product.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_rate=line.vat_rate,
            vat_category=line.vat_category,
            net_amount=line.net_amount,
        )
        for line in lines
    )
    totals = document_totals((line.net_amount, line.vat_rate, line.vat_category) for line in lines)
    taxes = tuple(PrintedTax(t.rate, t.category, t.base, t.amount) for t in totals.taxes)
    return printed, taxes


def _exemptions(lines) -> tuple[str, ...]:
    reasons = dict.fromkeys(line.vat_exemption_reason for line in lines if line.vat_exemption_reason)
    return tuple(reason if reason.endswith(".") else reason + "." for reason in reasons)


def _payment_mentions(company) -> tuple[str, ...]:
    notes = ei.french_payment_notes(
        late_penalty_rate=company.late_penalty_rate, early_payment_discount=company.early_payment_discount
    )
    return tuple(note.text for note in notes)


def quote_document(quote: Quote) -> CommercialDocument:
    seller, legal, company = seller_party()
    lines = list(quote.lines.select_related("product").order_by("position", "id"))
    printed, taxes = _priced_lines(lines)
    references = []
    if quote.valid_until:
        references.append(("Valable jusqu'au", fr_date(quote.valid_until)))
    return CommercialDocument(
        kind=Kind.QUOTE,
        number=quote.number,
        date=quote.date,
        seller=seller,
        seller_legal=legal,
        buyer=buyer_party(quote.customer),
        references=tuple(references),
        lines=printed,
        taxes=taxes,
        total_untaxed=quote.total_untaxed,
        total_vat=quote.total_vat,
        total=quote.total,
        payment_terms=payment_terms(quote.customer),
        note=quote.note,
        mentions=_exemptions(lines) + _payment_mentions(company),
    )


def order_document(order: Order) -> CommercialDocument:
    seller, legal, company = seller_party()
    lines = list(order.lines.select_related("product").order_by("position", "id"))
    printed, taxes = _priced_lines(lines)
    references = []
    if order.customer_reference:
        references.append(("Votre commande", order.customer_reference))
    if order.quote_id:
        references.append(("Devis", order.quote.number))
    return CommercialDocument(
        kind=Kind.ORDER,
        number=order.number,
        date=order.date,
        seller=seller,
        seller_legal=legal,
        buyer=buyer_party(order.customer),
        ship_to=ship_to(order.delivery_address),
        references=tuple(references),
        lines=printed,
        taxes=taxes,
        total_untaxed=order.total_untaxed,
        total_vat=order.total_vat,
        total=order.total,
        payment_terms=payment_terms(order.customer),
        mentions=_exemptions(lines) + _payment_mentions(company),
    )


def quote_pdf(quote: Quote) -> PdfFile:
    return PdfFile(render_commercial_pdf(quote_document(quote)), f"{quote.number}.pdf")


def order_pdf(order: Order) -> PdfFile:
    return PdfFile(render_commercial_pdf(order_document(order)), f"{order.number}.pdf")
