"""Factur-X (PDF/A-3 + factur-x.xml, profile EN 16931) from an `Invoice`.

The PDF comes from `pdf.render_pdf` (embedded fonts, sRGB OutputIntent, invariant), the XML from
`cii.to_cii`; the `factur-x` library embeds the XML (AFRelationship /Data, /AF, XMP with the fx
extension schema, PDF/A-3 identification). That library stamps the current time into the PDF info
dictionary, the XMP and the attachment's /ModDate: `_finalise` puts the invoice date there instead,
so the output is byte-identical for identical input.
"""

import io
import re
from datetime import UTC, datetime, time
from xml.sax.saxutils import escape

import facturx as facturx_lib
from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from comptoir.einvoice.cii import to_cii
from comptoir.einvoice.document import Invoice, consistency_errors
from comptoir.einvoice.formats import fr_date
from comptoir.einvoice.pdf import TITLES, render_pdf

LEVEL = "en16931"


class InvoiceDataError(ValueError):
    """The invoice data breaks a rule that would make the Factur-X invalid; `problems` says which."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


PRODUCER = "Comptoir"


def _finalise(pdf: bytes, invoice: Invoice) -> bytes:
    """Fix what factur-x leaves to the clock or leaves inconsistent, in one more pypdf pass.

    - every date it stamps with "now" (info dictionary, XMP, the attachment's /ModDate) becomes the
      invoice date, so identical invoices give identical bytes;
    - the info dictionary and the XMP must agree for PDF/A (Producer, Keywords): factur-x writes
      /Keywords without pdf:Keywords and leaves the renderer's /Producer beside its own;
    - the header says PDF 1.7, the base of PDF/A-3.
    """
    stamp = datetime.combine(invoice.issue_date, time(0, 0), tzinfo=UTC)
    pdf_date = stamp.strftime("D:%Y%m%d%H%M%S+00'00'")
    xmp_date = stamp.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    keywords = pdf_metadata(invoice)["keywords"]

    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.pdf_header = b"%PDF-1.7"
    writer.add_metadata(
        {"/CreationDate": pdf_date, "/ModDate": pdf_date, "/Producer": PRODUCER, "/Keywords": keywords}
    )

    metadata = writer.root_object["/Metadata"].get_object()
    xmp = metadata.get_data().decode("utf-8")
    xmp = re.sub(
        r"<xmp:CreateDate>[^<]*</xmp:CreateDate>", f"<xmp:CreateDate>{xmp_date}</xmp:CreateDate>", xmp
    )
    xmp = re.sub(
        r"<xmp:ModifyDate>[^<]*</xmp:ModifyDate>", f"<xmp:ModifyDate>{xmp_date}</xmp:ModifyDate>", xmp
    )
    xmp = re.sub(
        r"<pdf:Producer>[^<]*</pdf:Producer>",
        f"<pdf:Producer>{escape(PRODUCER)}</pdf:Producer>\n      <pdf:Keywords>{escape(keywords)}</pdf:Keywords>",
        xmp,
    )
    metadata.set_data(xmp.encode("utf-8"))

    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for filespec in names[1::2]:
        embedded = filespec.get_object()["/EF"]["/F"].get_object()
        embedded["/Params"][NameObject("/ModDate")] = TextStringObject(pdf_date)

    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def pdf_metadata(invoice: Invoice) -> dict[str, str]:
    """Info dictionary and XMP (dc:title, dc:creator, dc:description) of the Factur-X PDF, in French."""
    title = TITLES.get(invoice.type_code, "FACTURE").capitalize()
    return {
        "author": invoice.seller.name,
        "keywords": f"Factur-X, {title}",
        "title": f"{invoice.seller.name} : {title} {invoice.number}",
        "subject": f"{title} {invoice.number} du {fr_date(invoice.issue_date)} émise par {invoice.seller.name}",
    }


def make_facturx(invoice: Invoice, seller_legal: dict) -> bytes:
    """The Factur-X PDF of the invoice. Raises InvoiceDataError before generating an invalid one."""
    problems = consistency_errors(invoice)
    if problems:
        raise InvoiceDataError(problems)
    xml = to_cii(invoice)
    facturx_lib.xml_check_xsd(xml, flavor="factur-x", level=LEVEL)  # raises on the first XSD error
    pdf = render_pdf(invoice, seller_legal)
    generated = facturx_lib.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=False,  # checked above, with the level forced
        pdf_metadata=pdf_metadata(invoice),
        lang="fr-FR",
        afrelationship="data",
        xmp_compression=False,  # PDF/A readers expect an unfiltered metadata stream
    )
    return _finalise(generated, invoice)
