"""What every Comptoir PDF shares: fonts, text, page frame, styles and the company's identity blocks.

The invoice (`pdf.py`) and the commercial documents (`commercial_pdf.py`: quote, order confirmation,
delivery note) are drawn from these pieces, so they look alike and keep the same guarantees.

Every glyph comes from embedded, subset TrueType fonts shipped in `einvoice/fonts` with their licences,
colours are plain RGB under an sRGB OutputIntent, and nothing depends on the clock: the canvas runs in
invariant mode and its dates are the document's date, so the same document always gives the same bytes.

Every character a person typed (names, addresses, labels, references) goes through `markup`, which picks,
character by character, a font that has it: DejaVu Sans in the style asked (Latin with Extended-A/B,
Greek, Cyrillic, most symbols: ą ř ő ș ✓ ₂ …), else DejaVu Sans regular whatever the style (it has
more glyphs than its bold and oblique), else Noto Sans Symbols 2 (⛔ 📦 …). A character none of them
draws (most emoji, CJK) prints as MISSING_GLYPH "�", the Unicode replacement character: a visible mark
that something could not be printed, never the empty box of `.notdef`, which PDF/A forbids; the XML
keeps the exact text. Invisible format and control characters no font draws are left out. Text is
put in NFC first, so a letter typed as base + combining accent prints as the one letter it is.

No Django here: plain functions over the `document` dataclasses.
"""

import io
import unicodedata
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from comptoir.einvoice.document import Party
from comptoir.einvoice.formats import fr_number

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "ComptoirSans"
FONT_BOLD = "ComptoirSans-Bold"
FONT_ITALIC = "ComptoirSans-Oblique"
FONT_SYMBOLS = "ComptoirSymbols"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_SYMBOLS: "NotoSansSymbols2-Regular.ttf",
}
MISSING_GLYPH = "\ufffd"  # U+FFFD REPLACEMENT CHARACTER, drawn by every DejaVu face
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#52606D")
ACCENT = colors.HexColor("#243B53")
RULE = colors.HexColor("#BCCCDC")
ZEBRA = colors.HexColor("#F0F4F8")
MARGIN = 15 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# The logo's box, top left above the company's name: the image is scaled to fit, never stretched.
LOGO_MAX_WIDTH = 50 * mm
LOGO_MAX_HEIGHT = 20 * mm
# Pixels kept at most on the longer side: 600 px over 50 mm is ~300 dpi, and 1,000 invoices stay light.
LOGO_MAX_PIXELS = 600

UNIT_LABELS = {
    "C62": "u.",
    "H87": "pièce",
    "XPP": "pièce",
    "EA": "u.",
    "HUR": "h",
    "MIN": "min",
    "DAY": "jour",
    "WEE": "sem.",
    "MON": "mois",
    "ANN": "an",
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "MTK": "m²",
    "MTQ": "m³",
    "LTR": "l",
    "KMT": "km",
    "SET": "lot",
    "LO": "lot",
    "LS": "forfait",
    "CMT": "cm",
    "MMT": "mm",
    "CLT": "cl",
    "PR": "paire",
    "DZN": "douzaine",
    "XBX": "boîte",
    "XCT": "carton",
    "XBG": "sac",
    "XRO": "rouleau",
    "XPX": "palette",
}
COUNTRY_NAMES = {
    "AT": "Autriche",
    "BE": "Belgique",
    "BG": "Bulgarie",
    "CH": "Suisse",
    "CY": "Chypre",
    "CZ": "Tchéquie",
    "DE": "Allemagne",
    "DK": "Danemark",
    "EE": "Estonie",
    "ES": "Espagne",
    "FI": "Finlande",
    "GB": "Royaume-Uni",
    "GR": "Grèce",
    "HR": "Croatie",
    "HU": "Hongrie",
    "IE": "Irlande",
    "IT": "Italie",
    "LT": "Lituanie",
    "LU": "Luxembourg",
    "LV": "Lettonie",
    "MC": "Monaco",
    "MT": "Malte",
    "NL": "Pays-Bas",
    "NO": "Norvège",
    "PL": "Pologne",
    "PT": "Portugal",
    "RO": "Roumanie",
    "SE": "Suède",
    "SI": "Slovénie",
    "SK": "Slovaquie",
    "US": "États-Unis",
}


class NoNotdefTTFont(TTFont):
    """A subset-embedded TrueType font that never shows glyph 0 (`.notdef`) and names astral characters right.

    `markup` already sends each character to a font that has it; this is the last guard, for text drawn
    without it: a character the font lacks becomes MISSING_GLYPH (or "?"), width included. reportlab
    writes ToUnicode entries beyond U+FFFF as 5-digit hex, which is not UTF-16: those are rewritten as
    surrogate pairs so that 📦 reads back as 📦.
    """

    def drawable(self, text: str) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        glyphs = self.face.charToGlyph
        if all(ord(char) in glyphs for char in text):
            return text
        substitute = MISSING_GLYPH if ord(MISSING_GLYPH) in glyphs else "?"
        return "".join(
            char if ord(char) in glyphs else (" " if char.isspace() else substitute) for char in text
        )

    def splitString(self, text, doc, encoding="utf-8"):
        return super().splitString(self.drawable(text), doc, encoding)

    def stringWidth(self, text, size, encoding="utf8"):
        return super().stringWidth(self.drawable(text), size, encoding)

    def addObjects(self, doc):
        subsets = [list(subset) for subset in self._assignState(doc).subsets]
        super().addObjects(doc)
        face_name = self.face.name + self.face.subfontNameX
        for number, subset in enumerate(subsets):
            if all(code <= 0xFFFF for code in subset):
                continue
            cmap = doc.idToObject["toUnicodeCMap:" + (SUBSETN(number) + b"+" + face_name).decode("pdfdoc")]
            for index, code in enumerate(subset):
                if code > 0xFFFF:
                    utf16 = chr(code).encode("utf-16-be").hex().upper()
                    cmap.content = cmap.content.replace(
                        f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>"
                    )


@cache
def register_fonts() -> None:
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(NoNotdefTTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        FONT_SYMBOLS, normal=FONT_SYMBOLS, bold=FONT_SYMBOLS, italic=FONT_SYMBOLS, boldItalic=FONT_SYMBOLS
    )
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


@cache
def _coverage() -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Code points drawn by every DejaVu style, by DejaVu regular, by the symbol font."""
    register_fonts()
    glyphs = {name: frozenset(pdfmetrics.getFont(name).face.charToGlyph) for name in FONT_FILES}
    return glyphs[FONT] & glyphs[FONT_BOLD] & glyphs[FONT_ITALIC], glyphs[FONT], glyphs[FONT_SYMBOLS]


def _font_for(char: str) -> str | None:
    """The font family that draws `char`: "" for the current one, None for none (see module docstring)."""
    every_style, regular, symbols = _coverage()
    code = ord(char)
    if code in every_style or char.isspace():
        return ""
    if code in regular:
        return FONT  # in a paragraph, <font face=FONT> is DejaVu regular even inside <b> or <i>
    if code in symbols:
        return FONT_SYMBOLS
    return None


def markup(text: str) -> str:
    """Paragraph markup that prints `text` as written, each character from a font that has it."""
    runs: list[tuple[str, list[str]]] = []
    for char in unicodedata.normalize("NFC", text or ""):
        family = _font_for(char)
        if family is None:
            if unicodedata.category(char) in ("Cc", "Cf"):
                continue  # invisible: nothing to print
            family, char = "", MISSING_GLYPH
        if runs and runs[-1][0] == family:
            runs[-1][1].append(char)
        else:
            runs.append((family, [char]))
    return "".join(
        f'<font face="{family}">{escape("".join(chars))}</font>' if family else escape("".join(chars))
        for family, chars in runs
    )


@cache
def srgb_icc_profile() -> bytes:
    """An sRGB ICC profile (v4, class 'mntr') for the PDF/A OutputIntent, built by LittleCMS.

    LittleCMS stamps the creation time into bytes 24-35 of the header; they are fixed here so that
    the profile, and the PDF, are the same on every run.
    """
    from PIL import ImageCms

    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = bytes.fromhex("07d000010001000000000000")  # 2000-01-01 00:00:00
    return bytes(profile)


def pdf_date(value: date) -> str:
    return f"D:{value:%Y%m%d}000000+00'00'"


class PageCanvas(Canvas):
    """Defers pages to number them "Page x / y", and adds the PDF/A OutputIntent on save."""

    document_date: date = date(2000, 1, 1)
    footer_lines: tuple[str, ...] = ()
    running_title: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        date_text = pdf_date(self.document_date)
        self.setDateFormatter(lambda *_: date_text)

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        self._add_output_intent()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 16 * mm, PAGE_WIDTH - MARGIN, 16 * mm)
        y = 12.5 * mm
        for text in self.footer_lines:
            self._draw_line(text, y, TA_CENTER)
            y -= 3.2 * mm
        self._draw_line(f"Page {number} / {total}", 5 * mm, TA_RIGHT)
        if number > 1 and self.running_title:
            self._draw_line(f"{self.running_title} (suite)", PAGE_HEIGHT - 9 * mm, TA_RIGHT)
        self.restoreState()

    def _draw_line(self, text: str, baseline: float, alignment: int) -> None:
        """One line of small print across the content width, through `markup` like the body text."""
        style = ParagraphStyle(
            "margin", fontName=FONT, fontSize=6.8, leading=6.8, textColor=MUTED, alignment=alignment
        )
        line = Paragraph(markup(text), style)
        line.wrap(CONTENT_WIDTH, PAGE_HEIGHT)
        line.drawOn(self, MARGIN, baseline)

    def _add_output_intent(self) -> None:
        document = self._doc
        profile = pdfdoc.PDFStream(
            pdfdoc.PDFDictionary({"N": 3}), srgb_icc_profile(), filters=[pdfdoc.PDFZCompress]
        )
        intent = pdfdoc.PDFDictionary(
            {
                "Type": pdfdoc.PDFName("OutputIntent"),
                "S": pdfdoc.PDFName("GTS_PDFA1"),
                "OutputConditionIdentifier": pdfdoc.PDFString("sRGB"),
                "Info": pdfdoc.PDFString("sRGB IEC61966-2.1"),
                "DestOutputProfile": document.Reference(profile),
            }
        )
        catalog = document.Catalog
        # The catalog writes only the keys it knows; OutputIntents is added for this document alone.
        catalog.__NoDefault__ = [*type(catalog).__NoDefault__, "OutputIntents"]
        catalog.OutputIntents = pdfdoc.PDFArray([intent])


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.6, leading=11, textColor=INK, alignment=TA_LEFT)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.6, leading=9.6, textColor=MUTED),
        "seller": ParagraphStyle(
            "seller", parent=base, fontName=FONT_BOLD, fontSize=13, leading=16, textColor=ACCENT
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=18,
            leading=22,
            textColor=ACCENT,
            alignment=TA_RIGHT,
        ),
        "label": ParagraphStyle(
            "label", parent=base, fontName=FONT_BOLD, fontSize=7.4, leading=9, textColor=MUTED
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10),
        "cell_right": ParagraphStyle("cell_right", parent=base, fontSize=8.2, leading=10, alignment=TA_RIGHT),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=7.6, leading=9, textColor=colors.white
        ),
        "head_right": ParagraphStyle(
            "head_right",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=7.6,
            leading=9,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "section": ParagraphStyle(
            "section", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12, textColor=ACCENT
        ),
        "mention": ParagraphStyle("mention", parent=base, fontSize=7.8, leading=10),
        "strong": ParagraphStyle("strong", parent=base, fontName=FONT_BOLD),
    }


def table_style(commands: list) -> TableStyle:
    # Table cells default to Helvetica, a font that is not embedded: PDF/A forbids it.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def lines_table(data: list, widths: list) -> Table:
    """A document's lines as a table: the header row on the accent colour, rows ruled and striped, the
    header repeated on each page; `widths[0]` (None) takes the width the other columns leave."""
    widths = [CONTENT_WIDTH - sum(w for w in widths if w), *widths[1:]]
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for row in range(2, len(data), 2):
        style.append(("BACKGROUND", (0, row), (-1, row), ZEBRA))
    table.setStyle(table_style(style))
    return table


def para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def siren_text(value: str) -> str:
    return " ".join((value[0:3], value[3:6], value[6:9])) if len(value) == 9 else value


def siret_text(value: str) -> str:
    return f"{siren_text(value[:9])} {value[9:]}" if len(value) == 14 else value


def iban_text(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def address_lines(party_address) -> list[str]:
    lines = [*party_address.lines]
    city = " ".join(p for p in (party_address.postal_code, party_address.city) if p)
    if city:
        lines.append(city)
    if party_address.country_code and party_address.country_code != "FR":
        lines.append(COUNTRY_NAMES.get(party_address.country_code, party_address.country_code))
    return lines


def legal_identity(seller: Party, legal: dict) -> list[str]:
    """Form, capital, RCS and SIREN: the mentions of C. com. R123-237 as one short line each."""
    parts = []
    form = legal.get("legal_form")
    capital = legal.get("share_capital")
    if form and capital is not None:
        parts.append(
            f"{form} au capital de {fr_number(Decimal(capital), 2 if Decimal(capital) % 1 else 0)} €"
        )
    elif form:
        parts.append(form)
    rcs_city = legal.get("rcs_city")
    if rcs_city and seller.siren:
        parts.append(f"RCS {rcs_city} {siren_text(seller.siren)}")
    elif seller.siren:
        parts.append(f"SIREN {siren_text(seller.siren)}")
    return parts


def party_box(title: str, lines: list[str], st, width: float) -> Table:
    data = [[para(markup(title), st["label"])]] + [[para(text, st["base"])] for text in lines]
    table = Table(data, colWidths=[width])
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def buyer_lines(buyer: Party) -> list[str]:
    lines = [f"<b>{markup(buyer.name)}</b>"] + [markup(line) for line in address_lines(buyer.address)]
    if buyer.siren:
        lines.append(markup(f"SIREN {siren_text(buyer.siren)}"))
    if buyer.vat_number:
        lines.append(markup(f"TVA intracom. {buyer.vat_number}"))
    return lines


def unit_label(code: str) -> str:
    return UNIT_LABELS.get(code, code)


@lru_cache(maxsize=4)
def _prepared_logo(data: bytes) -> tuple[bytes, int, int]:
    """The logo as an opaque RGB PNG no larger than LOGO_MAX_PIXELS, and its size in pixels.

    Transparency is flattened onto white and every colour mode (palette, grey, CMYK) becomes RGB, so the
    page holds one DeviceRGB image under the sRGB OutputIntent and no soft mask: PDF/A-3 stays valid.
    """
    from PIL import Image as PilImage

    with PilImage.open(io.BytesIO(data)) as source:
        source.load()
        rgba = source.convert("RGBA")
    rgba.thumbnail((LOGO_MAX_PIXELS, LOGO_MAX_PIXELS))
    flat = PilImage.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=False)
    return out.getvalue(), flat.width, flat.height


def logo_flowable(data: bytes | None) -> Image | None:
    """The company's logo sized into LOGO_MAX_WIDTH × LOGO_MAX_HEIGHT, left aligned; None without one
    (or when the bytes are not an image Pillow reads: a document is never refused for its logo)."""
    if not data:
        return None
    try:
        png, width, height = _prepared_logo(bytes(data))
    except (OSError, ValueError, SyntaxError):
        return None
    scale = min(LOGO_MAX_WIDTH / width, LOGO_MAX_HEIGHT / height)
    image = Image(io.BytesIO(png), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def seller_block(seller: Party, legal: dict, st) -> list:
    """The company's logo (when it has one), name, address, legal identity, identifiers and contact,
    top left of every page one."""
    logo = logo_flowable(legal.get("logo"))
    rows = [logo, Spacer(1, 2 * mm)] if logo is not None else []
    rows.append(para(markup(seller.name), st["seller"]))
    rows += [para(markup(line), st["base"]) for line in address_lines(seller.address)]
    identity = legal_identity(seller, legal)
    if identity:
        rows.append(para(markup(" — ".join(identity)), st["small"]))
    ids = []
    if seller.siret:
        ids.append(f"SIRET {siret_text(seller.siret)}")
    if seller.vat_number:
        ids.append(f"TVA intracom. {seller.vat_number}")
    if ids:
        rows.append(para(markup(" — ".join(ids)), st["small"]))
    contact = [
        c
        for c in (
            legal.get("phone") or seller.phone,
            legal.get("email") or seller.email,
            legal.get("website"),
        )
        if c
    ]
    if contact:
        rows.append(para(markup(" — ".join(contact)), st["small"]))
    return rows


def footer_lines(seller: Party, legal: dict) -> tuple[str, ...]:
    """The legal identity repeated at the foot of every page."""
    first = [seller.name, *legal_identity(seller, legal)]
    address = ", ".join(address_lines(seller.address))
    second = [address] if address else []
    if seller.vat_number:
        second.append(f"TVA {seller.vat_number}")
    return tuple(" — ".join(parts) for parts in (first, second) if parts)


def key_value_box(rows: list[tuple[str, str]], st) -> Table:
    """The document's number, dates and references, boxed under its title."""
    data = [[para(markup(label), st["label"]), para(markup(value), st["strong"])] for label, value in rows]
    table = Table(data, colWidths=[36 * mm, 52 * mm], hAlign="RIGHT")
    table.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
            ]
        )
    )
    return table


def header(seller: Party, legal: dict, title: str, box: Table, st) -> Table:
    """Company block on the left, title and document box on the right."""
    table = Table(
        [[seller_block(seller, legal, st), [para(title, st["title"]), Spacer(1, 3 * mm), box]]],
        colWidths=[CONTENT_WIDTH - 90 * mm, 90 * mm],
    )
    table.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


HALF_WIDTH = (CONTENT_WIDTH - 6 * mm) / 2


def side_by_side(left, right) -> Table:
    """Two boxes on one row (delivery address and customer), aligned to the content edges."""
    table = Table([[left, right]], colWidths=[HALF_WIDTH + 6 * mm, HALF_WIDTH])
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def build(
    story: list,
    *,
    document_date: date,
    footer: tuple[str, ...],
    running_title: str,
    title: str,
    author: str,
    subject: str,
    keywords: list[str],
    lang: str = "fr-FR",
) -> bytes:
    """Lay `story` out on A4 pages with the shared margins, footer and page numbers; the PDF's bytes."""
    register_fonts()
    buffer = io.BytesIO()
    canvas_class = type(
        "DocumentCanvas",
        (PageCanvas,),
        {"document_date": document_date, "footer_lines": footer, "running_title": running_title},
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Comptoir",
        keywords=keywords,
        invariant=1,
        initialFontName=FONT,
        lang=lang,
        enforceColorSpace="rgb",
    )
    frame = Frame(
        MARGIN,
        22 * mm,
        CONTENT_WIDTH,
        PAGE_HEIGHT - MARGIN - 22 * mm,
        id="body",
        leftPadding=0,
        rightPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
