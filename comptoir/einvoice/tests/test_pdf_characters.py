"""Every letter of a name, an address or a label prints with a real glyph (issue #16, defect 4).

A PDF/A-3 may not show `.notdef` (glyph 0, the empty box), and the readable invoice must say what
the XML says: the text read back from the PDF is the text written. Fonts are inspected in the file
itself (`glyphs.notdef_uses`): for each code a page shows, the glyph its embedded subset maps it to.
"""

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from comptoir.einvoice.document import Address, DocumentType, InvoiceReference
from comptoir.einvoice.facturx import make_facturx
from comptoir.einvoice.tests import factories
from comptoir.einvoice.tests.factories import SELLER_LEGAL
from comptoir.einvoice.tests.glyphs import notdef_uses

NBSP = "\u00a0"
CUSTOMER = "Łódź Spółka — Dvořák Őrző Ștefan ✓ CO₂"
STREET = "ul. Żółkiewskiego 3/5, Gdańsk-Oliwa"
CITY = "Brașov"
LABELS = (
    "Zażółć gęślą jaźń — filtr CO₂",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "Árvíztűrő tükörfúrógép ✓",
    "Cărămidă șamotată, țiglă",
)
MISSING_GLYPH = "\ufffd"  # U+FFFD REPLACEMENT CHARACTER
DESCRIPTION = "H₂O ≤ 0,5 % — m³ — ±2 °C — ✔"


CREDIT_NOTE = dict(
    number="AV-2026-00007",
    type_code=DocumentType.CREDIT_NOTE,
    preceding_invoices=(InvoiceReference("FA-2026-00042", date(2026, 3, 16)),),
    issue_date=date(2026, 3, 20),
    due_date=None,
    payment_means=None,
)


def _invoice_with(buyer_name: str, labels: tuple[str, ...], description: str = "", **document):
    buyer = replace(
        factories.BUYER_DE,
        name=buyer_name,
        address=Address((STREET,), "80-001", CITY, "PL"),
    )
    lines = [
        factories.line(str(n), label, description=description) for n, label in enumerate(labels, start=1)
    ]
    return factories.make_invoice(lines, buyer=buyer, **document)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(NBSP, " ")


@pytest.mark.parametrize("document", [{}, CREDIT_NOTE], ids=["invoice", "credit_note"])
def test_polish_czech_hungarian_romanian_names_and_symbols_print_as_written(document):
    invoice = _invoice_with(CUSTOMER, LABELS, DESCRIPTION, **document)
    pdf = make_facturx(invoice, SELLER_LEGAL)

    text = _text(pdf)
    for written in (CUSTOMER, STREET, f"80-001 {CITY}", *LABELS, DESCRIPTION):
        assert written in text
    assert notdef_uses(pdf) == []


def test_the_notdef_check_sees_an_empty_box():
    """The inspector finds `.notdef` in a PDF that does show one: the check is not blind."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    pdfmetrics.registerFont(TTFont("TestPlainVera", str(vera)))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName="TestPlainVera")
    canvas.setFont("TestPlainVera", 10)
    canvas.drawString(10, 10, "Gdańsk")  # Vera has no ń: reportlab draws glyph 0
    canvas.save()
    assert notdef_uses(buffer.getvalue()) == [("/AAAAAA+BitstreamVeraSans-Roman", 0)]


def test_symbols_fall_back_to_a_second_font_and_emoji_without_any_glyph_get_a_visible_mark():
    # ⛔ and 📦 are in no DejaVu face: they come from the symbol font; 𝖠 (mathematical sans A) is in
    # DejaVu regular only, not in the bold of a name; 🚚 is in no embedded font.
    invoice = _invoice_with("Transports Éclair ⛔ 📦 𝖠", ("Livraison express 🚚 ✓",))
    pdf = make_facturx(invoice, SELLER_LEGAL)

    text = _text(pdf)
    assert "Transports Éclair ⛔ 📦 𝖠" in text
    assert f"Livraison express {MISSING_GLYPH} ✓" in text
    assert "🚚" not in text
    assert notdef_uses(pdf) == []


def test_text_is_normalised_so_decomposed_accents_print_as_one_letter():
    decomposed = "Ștefan Dvořák".replace("ř", "r\u030c").replace("Ș", "S\u0326")
    pdf = make_facturx(_invoice_with(decomposed, ("Tuile",)), SELLER_LEGAL)
    assert "Ștefan Dvořák" in _text(pdf)
    assert notdef_uses(pdf) == []


def test_text_drawn_past_the_markup_still_never_shows_notdef():
    """The fonts themselves guard: a character they lack is drawn as the visible mark, not glyph 0."""
    from reportlab.pdfgen.canvas import Canvas

    from comptoir.einvoice.layout import FONT, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName=FONT, invariant=1)
    canvas.drawString(10, 10, "Gdańsk 🚚 ✓")
    canvas.save()
    pdf = buffer.getvalue()
    assert notdef_uses(pdf) == []
    assert f"Gdańsk {MISSING_GLYPH} ✓" in _text(pdf)
