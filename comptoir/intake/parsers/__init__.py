"""The parser registry: one pure function per detected format, each returning an ExtractedDocument.

OCR of images and scanned PDFs, PDF text layers and e-mail bodies plug in here later by adding their
format to PARSERS; until then their files are kept and quarantined with the reason (`UNSUPPORTED`).
"""

from collections.abc import Callable

from comptoir.intake import detection as d
from comptoir.intake.extraction import ExtractedDocument, ParseError
from comptoir.intake.parsers import cii, edifact, facturx, sheets, text, ubl

PARSERS: dict[str, Callable[[bytes], ExtractedDocument]] = {
    d.ORDER_X: cii.parse_order,
    d.CII_INVOICE: cii.parse_invoice,
    d.UBL_ORDER: ubl.parse_order,
    d.UBL_INVOICE: ubl.parse_invoice,
    d.FACTURX_PDF: facturx.parse,
    d.EDIFACT_ORDERS: edifact.parse,
    d.XLSX: lambda content: sheets.parse(content, d.XLSX),
    d.CSV: lambda content: sheets.parse(content, d.CSV),
    d.EMAIL: text.parse_email,
}

# Formats recognised but not read yet: the reason code each is quarantined with.
UNSUPPORTED = {
    d.IMAGE: "image_not_supported",
    d.PDF: "pdf_not_supported",
    d.XML_OTHER: "unknown_type",
    d.UNKNOWN: "unknown_type",
}


def parse(content: bytes) -> tuple[str, ExtractedDocument]:
    """(format, document). ParseError with the reason when the file cannot be read as an order or invoice."""
    fmt = d.detect(content)
    parser = PARSERS.get(fmt)
    if parser is None:
        raise FormatNotRead(fmt, UNSUPPORTED.get(fmt, "unknown_type"))
    return fmt, parser(content)


class FormatNotRead(ParseError):
    def __init__(self, fmt: str, code: str):
        self.format = fmt
        super().__init__(code, fmt)
