"""PDF orders with a text layer (not Factur-X): words and boxes from pdfium, then the layout rules. A PDF
without text (a scan) is handed to OCR in the background (`NeedsOcr`)."""

from comptoir.intake.extraction import ExtractedDocument, ParseError

SCAN_PDF = "pdf_scan"


class NeedsOcr(ParseError):
    """The file is an image or a scanned PDF: it is read by OCR in the background worker."""

    def __init__(self, fmt: str):
        self.format = fmt
        super().__init__("needs_ocr", fmt)


def parse(content: bytes) -> ExtractedDocument:
    # pdfium and the layout rules are loaded by the first PDF, not by every process that imports intake.
    from comptoir.intake.detection import PDF
    from comptoir.intake.layout import extract
    from comptoir.intake.pdfwords import has_text, pdf_pages

    pages = pdf_pages(content)
    if not has_text(pages):
        raise NeedsOcr(SCAN_PDF)
    return extract(pages, PDF)


def image(content: bytes) -> ExtractedDocument:
    from comptoir.intake.detection import IMAGE

    raise NeedsOcr(IMAGE)
