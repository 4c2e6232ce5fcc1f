"""Do the issued documents say the same thing everywhere? The archived CII XML, the Factur-X PDF (its
embedded XML and the amounts a reader sees on the page) and the sales-journal entry, to the cent;
and does every XML pass the official validators (EN 16931 XSD, Schematron, Factur-X and BR-FR rules)?

Used by `comptoir check-einvoices` (over the demo company, or a real one before an audit) and by tests.
Rendering a PDF for the first time archives it (see einvoicing.facturx_pdf), as a download would.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from lxml import etree
from pypdf.errors import PyPdfError

from comptoir.accounting import chart
from comptoir.billing import einvoicing
from comptoir.billing.models import Invoice, InvoiceArchive
from comptoir.core import money
from comptoir.einvoice.cii import amounts_from_cii
from comptoir.einvoice.validate import read_back, validate_many


@dataclass(frozen=True)
class Discrepancy:
    number: str
    where: str  # "xml", "pdf", "ledger", "validator", "check" (the check itself failed)
    detail: str

    def __str__(self) -> str:
        return f"{self.number} [{self.where}] {self.detail}"


def _ledger_balance(invoice: Invoice) -> Decimal:
    """What the entry says the customer owes (411 debit − credit); a credit note owes the other way."""
    balance = sum(
        (
            line.debit - line.credit
            for line in invoice.entry.lines.all()
            if line.account.code == chart.CUSTOMERS
        ),
        Decimal(0),
    )
    return -balance if invoice.kind == Invoice.Kind.CREDIT_NOTE else balance


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)


def _archived_xml(invoice: Invoice) -> bytes | None:
    try:
        return einvoicing.cii_xml(invoice)
    except InvoiceArchive.DoesNotExist:
        return None


def check_document(invoice: Invoice) -> list[Discrepancy]:
    found = []
    number = invoice.number
    xml = _archived_xml(invoice)
    if xml is None:
        found.append(Discrepancy(number, "xml", "aucune archive : le XML émis n'a pas été conservé"))
    else:
        if hashlib.sha256(xml).hexdigest() != invoice.archive.cii_sha256:
            found.append(
                Discrepancy(number, "xml", "le XML archivé ne correspond plus à son empreinte SHA-256")
            )
        try:
            amounts = amounts_from_cii(xml)
        except (etree.XMLSyntaxError, ValueError, ArithmeticError) as exc:
            found.append(Discrepancy(number, "xml", f"le XML archivé est illisible : {exc}"))
        else:
            expected = {
                "BT-109": invoice.total_untaxed,
                "BT-110": invoice.total_vat,
                "BT-112": invoice.total,
                "BT-115": invoice.amount_payable,
            }
            for bt, value in expected.items():
                if amounts.get(bt) != value:
                    found.append(Discrepancy(number, "xml", f"{bt} = {amounts.get(bt)} au lieu de {value}"))
    if invoice.entry is None:
        found.append(Discrepancy(number, "ledger", "aucune écriture comptable"))
    else:
        owed = _ledger_balance(invoice)
        if owed != invoice.amount_payable:
            found.append(
                Discrepancy(
                    number, "ledger", f"le compte client porte {owed} au lieu de {invoice.amount_payable}"
                )
            )
    if xml is None:
        return found  # the PDF is rendered beside the archive, and compared with it
    pdf = einvoicing.facturx_pdf(invoice)
    kept = invoice.archive.pdf_sha256  # empty when the PDF was rendered by this very check
    if kept and hashlib.sha256(pdf).hexdigest() != kept:
        found.append(Discrepancy(number, "pdf", "le PDF archivé ne correspond plus à son empreinte SHA-256"))
    try:
        embedded = read_back(pdf).xml
        # Spaces removed on both sides: the PDF fonts print the thousands separator as a plain space.
        text = "".join(_pdf_text(pdf).split())
    except (ValueError, PyPdfError) as exc:
        found.append(Discrepancy(number, "pdf", f"PDF Factur-X illisible : {exc}"))
        return found
    if embedded != xml:
        found.append(Discrepancy(number, "pdf", "le XML embarqué diffère du XML archivé"))
    for label, value in (("total HT", invoice.total_untaxed), ("total TTC", invoice.total)):
        if "".join(money.fr(value).split()) not in text:
            found.append(
                Discrepancy(number, "pdf", f"le {label} {money.fr(value)} n'apparaît pas sur la page")
            )
    return found


def _checked(invoice: Invoice) -> list[Discrepancy]:
    """The discrepancies of one document; a check that cannot even run names the document and its
    reason instead of stopping the checks of the others."""
    try:
        return check_document(invoice)
    except Exception as exc:  # noqa: BLE001 - reported as a discrepancy of this document
        return [Discrepancy(invoice.number, "check", f"contrôle impossible : {type(exc).__name__}: {exc}")]


def check_issued(invoices=None, *, validate: bool = True) -> tuple[int, list[Discrepancy]]:
    """(documents checked, discrepancies) over the given issued documents, or all of them."""
    if invoices is None:
        invoices = Invoice.objects.filter(status=Invoice.Status.ISSUED)
    invoices = list(
        invoices.select_related("archive", "entry", "customer", "order", "corrects").prefetch_related(
            "entry__lines__account"
        )
    )
    found = [d for invoice in invoices for d in _checked(invoice)]
    archived = [(invoice, xml) for invoice in invoices if (xml := _archived_xml(invoice)) is not None]
    if validate and archived:
        reports = validate_many([xml for _invoice, xml in archived])
        for (invoice, _xml), report in zip(archived, reports, strict=True):
            found += [Discrepancy(invoice.number, "validator", str(failure)) for failure in report.errors]
    return len(invoices), found
