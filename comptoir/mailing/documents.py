"""Which documents can be e-mailed, and for each: who may send it, its PDF, its customer, its template.

A registry read by `services.send_document` and the pages, so a new kind of document is one entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from comptoir.billing import einvoicing
from comptoir.billing.models import Invoice
from comptoir.core.errors import DomainError
from comptoir.einvoice.formats import fr_date, fr_money
from comptoir.mailing import errors, templates
from comptoir.parties import selectors as parties
from comptoir.payments import letters
from comptoir.payments.models import CustomerLetter
from comptoir.sales import printing as sales_printing
from comptoir.sales.models import Order, Quote
from comptoir.stock import printing as stock_printing
from comptoir.stock.models import Delivery


@dataclass(frozen=True)
class Sendable:
    kind: str  # quote, order, delivery, invoice, credit_note, reminder, statement
    permission: str
    detail_url: str  # the document's page (web URL name)
    pdf: Callable  # document -> object with body, filename, content_type
    customer: Callable
    values: Callable  # document -> the template's values besides number and company


def _invoice_pdf(invoice: Invoice):
    # The Factur-X PDF/A-3 (with its XML), as archived for the invoice; a draft has none (409).
    return einvoicing.einvoice_file(invoice, einvoicing.FACTURX)


def _quote_values(quote: Quote) -> dict:
    valid = f", valable jusqu'au {fr_date(quote.valid_until)}" if quote.valid_until else ""
    return {"total": fr_money(quote.total), "valid_until": valid}


def _invoice_values(invoice: Invoice) -> dict:
    due = fr_date(invoice.due_date) if invoice.due_date else ""
    return {"total": fr_money(invoice.total), "due_date": due}


SENDABLES = {
    "quote": Sendable(
        "quote",
        "quote.send",
        "web:quote_detail",
        sales_printing.quote_pdf,
        lambda q: q.customer,
        _quote_values,
    ),
    "order": Sendable(
        "order",
        "order.manage",
        "web:order_detail",
        sales_printing.order_pdf,
        lambda o: o.customer,
        lambda o: {"total": fr_money(o.total)},
    ),
    "delivery": Sendable(
        "delivery",
        "delivery.manage",
        "web:delivery_detail",
        stock_printing.delivery_pdf,
        lambda d: d.order.customer,
        lambda d: {"order": d.order.number},
    ),
    "invoice": Sendable(
        "invoice", "invoice.manage", "web:invoice_detail", _invoice_pdf, lambda i: i.customer, _invoice_values
    ),
    "credit_note": Sendable(
        "credit_note",
        "credit_note.manage",
        "web:invoice_detail",
        _invoice_pdf,
        lambda i: i.customer,
        lambda i: {"total": fr_money(i.total)},
    ),
    # The customer letters (payments.letters): each frozen on its day, so a retry sends the same PDF.
    "reminder": Sendable(
        "reminder",
        "reminder.send",
        "web:customer_letter",
        letters.letter_pdf,
        lambda letter: letter.customer,
        lambda letter: {"total": fr_money(letter.overdue), "date": fr_date(letter.date)},
    ),
    "statement": Sendable(
        "statement",
        "reminder.send",
        "web:customer_letter",
        letters.letter_pdf,
        lambda letter: letter.customer,
        lambda letter: {"total": fr_money(letter.balance), "date": fr_date(letter.date)},
    ),
}


def sendable(document) -> Sendable:
    if isinstance(document, Quote):
        return SENDABLES["quote"]
    if isinstance(document, Order):
        return SENDABLES["order"]
    if isinstance(document, Delivery):
        return SENDABLES["delivery"]
    if isinstance(document, CustomerLetter):
        return SENDABLES[document.kind]
    if isinstance(document, Invoice):
        return SENDABLES["credit_note" if document.kind == Invoice.Kind.CREDIT_NOTE else "invoice"]
    raise DomainError(*errors.NOT_SENDABLE)


def proposed(document) -> dict:
    """The form's starting values: the customer's billing address, the template's subject and body."""
    entry = sendable(document)
    company = parties.company()
    values = {
        "number": document.number,
        "company": company.legal_name if company else "",
        **entry.values(document),
    }
    draft = templates.draft_for(entry.kind, **values)
    customer = entry.customer(document)
    return {"to": customer.email, "cc": "", "bcc": "", "subject": draft.subject, "body": draft.body}
