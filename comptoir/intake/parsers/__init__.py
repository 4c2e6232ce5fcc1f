"""The parser registry: one pure function per detected format, each returning an ExtractedDocument.

A PDF with a text layer is read here at once (`pdf.parse`); an image or a scanned PDF raises `NeedsOcr`:
the document waits in « received » and the background worker reads it (`intake.tasks.read_document`,
`ocr.read`). Formats not read (yet) are kept and quarantined with the reason (`UNSUPPORTED`).
"""

from collections.abc import Callable

from comptoir.intake import detection as d
from comptoir.intake.extraction import ExtractedDocument, ParseError
from comptoir.intake.parsers import cii, edifact, facturx, pdf, sheets, text, ubl
from comptoir.intake.parsers.pdf import SCAN_PDF, NeedsOcr

PARSERS: dict[str, Callable[[bytes], ExtractedDocument]] = {
    d.ORDER_X: cii.parse_order,
    d.CII_INVOICE: cii.parse_invoice,
    d.UBL_ORDER: ubl.parse_order,
    d.UBL_INVOICE: ubl.parse_invoice,
    d.FACTURX_PDF: facturx.parse,
    d.EDIFACT_ORDERS: edifact.parse,
    d.XLSX: lambda content: sheets.parse(content, d.XLSX),
    d.CSV: lambda content: sheets.parse(content, d.CSV),
    d.PDF: pdf.parse,
    d.IMAGE: pdf.image,
    d.EMAIL: text.parse_email,
}

# Formats recognised but not read yet: the reason code each is quarantined with.
UNSUPPORTED = {
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


def parse_ocr(content: bytes, fmt: str) -> ExtractedDocument:
    """What the background worker reads: an image or a scanned PDF (`fmt` as NeedsOcr named it)."""
    from comptoir.intake import ocr

    return ocr.read(content, fmt)


__all__ = ["PARSERS", "SCAN_PDF", "NeedsOcr", "parse", "parse_ocr"]


class FormatNotRead(ParseError):
    def __init__(self, fmt: str, code: str):
        self.format = fmt
        super().__init__(code, fmt)
