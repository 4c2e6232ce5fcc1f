"""PDF/A-3 with an embedded XML (Factur-X, ZUGFeRD invoices; Order-X orders): the XML is the document.

Read with pypdf (what the factur-x library uses) but parsed through `detection.safe_xml`, never with the
library's own unguarded parser. An encrypted, damaged or plain PDF has no embedded XML: None.
"""

import io

XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")


def embedded_xml(content: bytes) -> bytes | None:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        found = None
        for attachment in reader.attachment_list:
            name = (attachment.name or "").lower()
            if name in XML_NAMES or (found is None and name.endswith(".xml")):
                found = attachment.content
                if name in XML_NAMES:
                    break
        return bytes(found) if found else None
    except Exception:  # pypdf raises many kinds of errors on damaged files: no embedded XML to read
        return None


def parse(content: bytes):
    from comptoir.intake.detection import CII_INVOICE, ORDER_X, safe_xml
    from comptoir.intake.extraction import ParseError
    from comptoir.intake.parsers import cii

    xml = embedded_xml(content)
    if xml is None:
        raise ParseError("pdf_unreadable")
    root = safe_xml(xml)
    if root.tag.endswith("CrossIndustryInvoice"):
        return cii.parse_invoice_root(root, fmt=CII_INVOICE, source_prefix="PDF › factur-x.xml ")
    if root.tag.endswith("SCRDMCCBDACIOMessageStructure"):
        return cii.parse_order_root(root, fmt=ORDER_X, source_prefix="PDF › order-x.xml ")
    raise ParseError("unknown_type")
