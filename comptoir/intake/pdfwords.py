"""Words with their boxes from a PDF's text layer (pypdfium2), and pages rendered to images for OCR.
No Django.

pdfium gives each character and its box (loose: the font's bounds, so every character of a line has the
same height); characters are joined into words at spaces, line breaks and gaps wider than a third of the
character height. Coordinates are turned to points from the top left of the page, as OCR boxes are.
"""

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from comptoir.intake.extraction import ParseError
from comptoir.intake.layout import Page, Word

MAX_PAGES = 50
# Below this many characters of text on all pages, the PDF is a scan (or a photo put in a PDF).
MIN_TEXT_CHARS = 20


def open_pdf(content: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise ParseError("pdf_unreadable", str(exc)[:200]) from exc


def _page_words(page, number: int) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    words: list[Word] = []
    chars: list[tuple[str, float, float, float, float]] = []

    def flush():
        if chars:
            words.append(
                Word(
                    "".join(c[0] for c in chars),
                    min(c[1] for c in chars),
                    height - max(c[4] for c in chars),
                    max(c[3] for c in chars),
                    height - min(c[2] for c in chars),
                    number,
                )
            )
            chars.clear()

    try:
        count = textpage.count_chars()
        for index in range(count):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
            char = chr(code) if code else ""
            if not char or char.isspace() or code in (0xFFFE, 0xFFFF, 0x02):
                flush()
                continue
            left, bottom, right, top = textpage.get_charbox(index, loose=True)
            if chars:
                previous = chars[-1]
                size = previous[4] - previous[2]
                if (
                    left - previous[3] > size / 3
                    or abs(bottom - previous[2]) > size / 2
                    or left < previous[1]
                ):
                    flush()
            chars.append((char, left, bottom, right, top))
        flush()
    finally:
        textpage.close()
    return Page(number, width, height, words)


def pdf_pages(content: bytes) -> list[Page]:
    """The words of each page of a PDF's text layer (empty pages for a scan)."""
    document = open_pdf(content)
    try:
        return [_page_words(document[index], index + 1) for index in range(min(len(document), MAX_PAGES))]
    finally:
        document.close()


def has_text(pages: list[Page]) -> bool:
    return sum(len(w.text) for page in pages for w in page.words) >= MIN_TEXT_CHARS


def render(content: bytes, dpi: int = 200):
    """Each page of a PDF as a PIL image at `dpi`."""
    document = open_pdf(content)
    try:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            yield page.render(scale=dpi / 72).to_pil()
    finally:
        document.close()
