"""The readable invoice: an A4 PDF in French, drawn with reportlab from the same `Invoice` as the XML.

What makes it fit for Factur-X (PDF/A-3b once `facturx.make_facturx` adds the XMP and the XML):
every glyph comes from embedded, subset TrueType fonts shipped in `einvoice/fonts` with their licences,
colours are plain RGB under an sRGB OutputIntent, and nothing depends on the clock: the canvas runs in
invariant mode and its dates are the invoice date, so the same invoice always gives the same bytes.

Every character a person typed (names, addresses, labels, references) goes through `_e`, which picks,
character by character, a font that has it: DejaVu Sans in the style asked (Latin with Extended-A/B,
Greek, Cyrillic, most symbols: ą ř ő ș ✓ ₂ …), else DejaVu Sans regular whatever the style (it has
more glyphs than its bold and oblique), else Noto Sans Symbols 2 (⛔ 📦 …). A character none of them
draws (most emoji, CJK) prints as MISSING_GLYPH "�", the Unicode replacement character: a visible mark
that something could not be printed, never the empty box of `.notdef`, which PDF/A forbids; the XML
keeps the exact text. Invisible format and control characters no font draws are left out. Text is
put in NFC first, so a letter typed as base + combining accent prints as the one letter it is.
"""

import io
import unicodedata
from datetime import date
from decimal import Decimal
from functools import cache
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
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from comptoir.einvoice.document import (
    NOTE_EARLY_PAYMENT_DISCOUNT,
    NOTE_LATE_PENALTIES,
    NOTE_RECOVERY_INDEMNITY,
    DocumentType,
    Framework,
    Invoice,
    Line,
    OperationNature,
    Party,
    VatCategory,
    format_percent_fr,
)
from comptoir.einvoice.formats import NBSP, fr_date, fr_decimal, fr_money, fr_number, fr_price

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

TITLES = {
    DocumentType.INVOICE: "FACTURE",
    DocumentType.CREDIT_NOTE: "AVOIR",
    DocumentType.PREPAYMENT_INVOICE: "FACTURE D'ACOMPTE",
    DocumentType.CORRECTED_INVOICE: "FACTURE RECTIFICATIVE",
}
OPERATION_LABELS = {
    OperationNature.GOODS: "Livraison de biens",
    OperationNature.SERVICES: "Prestation de services",
    OperationNature.MIXED: "Opération mixte (livraison de biens et prestation de services)",
}
# UN/ECE Rec 20 codes as a French reader expects them.
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
CATEGORY_LABELS = {
    VatCategory.ZERO_RATED: "0 %",
    VatCategory.EXEMPT: "Exonéré",
    VatCategory.REVERSE_CHARGE: "Autoliq.",
    VatCategory.INTRA_EU_SUPPLY: "Exonéré",
    VatCategory.EXPORT: "Exonéré",
    VatCategory.OUT_OF_SCOPE: "Hors champ",
}


class _NoNotdefTTFont(TTFont):
    """A subset-embedded TrueType font that never shows glyph 0 (`.notdef`) and names astral characters right.

    `_e` already sends each character to a font that has it; this is the last guard, for text drawn
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
def _register_fonts() -> None:
    for name, file in FONT_FILES.items():
        pdfmetrics.registerFont(_NoNotdefTTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        FONT_SYMBOLS, normal=FONT_SYMBOLS, bold=FONT_SYMBOLS, italic=FONT_SYMBOLS, boldItalic=FONT_SYMBOLS
    )
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


@cache
def _coverage() -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """Code points drawn by every DejaVu style, by DejaVu regular, by the symbol font."""
    _register_fonts()
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


def _e(text: str) -> str:
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


def _pdf_date(value: date) -> str:
    return f"D:{value:%Y%m%d}000000+00'00'"


class _InvoiceCanvas(Canvas):
    """Defers pages to number them "Page x / y", and adds the PDF/A OutputIntent on save."""

    document_date: date = date(2000, 1, 1)
    footer_lines: tuple[str, ...] = ()
    running_title: str = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        date_text = _pdf_date(self.document_date)
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
        """One line of small print across the content width, through `_e` like the body text."""
        style = ParagraphStyle(
            "margin", fontName=FONT, fontSize=6.8, leading=6.8, textColor=MUTED, alignment=alignment
        )
        line = Paragraph(_e(text), style)
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


def _styles() -> dict[str, ParagraphStyle]:
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


def _table_style(commands: list) -> TableStyle:
    # Table cells default to Helvetica, a font that is not embedded: PDF/A forbids it.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text, style)


def _siren(value: str) -> str:
    return " ".join((value[0:3], value[3:6], value[6:9])) if len(value) == 9 else value


def _siret(value: str) -> str:
    return f"{_siren(value[:9])} {value[9:]}" if len(value) == 14 else value


def _iban(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _address_lines(party_address) -> list[str]:
    lines = [*party_address.lines]
    city = " ".join(p for p in (party_address.postal_code, party_address.city) if p)
    if city:
        lines.append(city)
    if party_address.country_code and party_address.country_code != "FR":
        lines.append(COUNTRY_NAMES.get(party_address.country_code, party_address.country_code))
    return lines


def _legal_identity(seller: Party, legal: dict) -> list[str]:
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
        parts.append(f"RCS {rcs_city} {_siren(seller.siren)}")
    elif seller.siren:
        parts.append(f"SIREN {_siren(seller.siren)}")
    return parts


def _seller_block(invoice: Invoice, legal: dict, st) -> list:
    seller = invoice.seller
    rows = [_p(_e(seller.name), st["seller"])]
    rows += [_p(_e(line), st["base"]) for line in _address_lines(seller.address)]
    identity = _legal_identity(seller, legal)
    if identity:
        rows.append(_p(_e(" — ".join(identity)), st["small"]))
    ids = []
    if seller.siret:
        ids.append(f"SIRET {_siret(seller.siret)}")
    if seller.vat_number:
        ids.append(f"TVA intracom. {seller.vat_number}")
    if ids:
        rows.append(_p(_e(" — ".join(ids)), st["small"]))
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
        rows.append(_p(_e(" — ".join(contact)), st["small"]))
    return rows


def _document_box(invoice: Invoice, st) -> Table:
    rows = [("N°", invoice.number), ("Date", fr_date(invoice.issue_date))]
    if invoice.delivery_date:
        label = (
            "Date de livraison"
            if invoice.operation_nature == OperationNature.GOODS
            else "Date de l'opération"
        )
        rows.append((label, fr_date(invoice.delivery_date)))
    if invoice.period_start and invoice.period_end:
        rows.append(("Période", f"{fr_date(invoice.period_start)} – {fr_date(invoice.period_end)}"))
    if invoice.due_date and not invoice.is_credit_note:
        rows.append(("Échéance", fr_date(invoice.due_date)))
    if invoice.order_reference:
        rows.append(("Votre commande", invoice.order_reference))
    if invoice.buyer_reference:
        rows.append(("Votre référence", invoice.buyer_reference))
    if invoice.despatch_reference:
        rows.append(("Bon de livraison", invoice.despatch_reference))
    if invoice.contract_reference:
        rows.append(("Contrat", invoice.contract_reference))
    data = [[_p(_e(label), st["label"]), _p(_e(value), st["strong"])] for label, value in rows]
    table = Table(data, colWidths=[36 * mm, 52 * mm], hAlign="RIGHT")
    table.setStyle(
        _table_style(
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


def _party_box(title: str, lines: list[str], st, width: float) -> Table:
    data = [[_p(_e(title), st["label"])]] + [[_p(text, st["base"])] for text in lines]
    table = Table(data, colWidths=[width])
    table.setStyle(
        _table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _buyer_lines(buyer: Party) -> list[str]:
    lines = [f"<b>{_e(buyer.name)}</b>"] + [_e(line) for line in _address_lines(buyer.address)]
    if buyer.siren:
        lines.append(_e(f"SIREN {_siren(buyer.siren)}"))
    if buyer.vat_number:
        lines.append(_e(f"TVA intracom. {buyer.vat_number}"))
    return lines


def _unit(code: str) -> str:
    return UNIT_LABELS.get(code, code)


def _vat_label(category: VatCategory, rate: Decimal) -> str:
    if category == VatCategory.STANDARD:
        return format_percent_fr(rate)
    return CATEGORY_LABELS.get(category, str(category))


def _discount_label(line: Line) -> str:
    if line.allowances:
        percents = [a.percent for a in line.allowances if a.percent is not None]
        if len(percents) == len(line.allowances) == 1:
            return format_percent_fr(percents[0])
        return f"−{fr_money(line.allowance_total)}"
    if line.price_discount:
        return f"−{fr_price(line.price_discount)}{NBSP}€/u."
    return ""


def _lines_table(invoice: Invoice, st) -> Table:
    header = [
        _p("Désignation", st["head"]),
        _p("Qté", st["head_right"]),
        _p("Unité", st["head"]),
        _p("PU HT", st["head_right"]),
        _p("Remise", st["head_right"]),
        _p("TVA", st["head_right"]),
        _p("Montant HT", st["head_right"]),
    ]
    data = [header]
    for line in invoice.lines:
        name = f"<b>{_e(line.name)}</b>"
        details = []
        if line.sku:
            details.append(f"Réf. {_e(line.sku)}")
        if line.description:
            details.append(_e(line.description))
        if line.exemption_reason:
            details.append(f"<i>{_e(line.exemption_reason)}</i>")
        if details:
            name += f"<br/><font size=7 color='#52606D'>{' — '.join(details)}</font>"
        unit_price = line.gross_price if line.gross_price is not None else line.net_price
        data.append(
            [
                _p(name, st["cell"]),
                _p(fr_decimal(line.quantity), st["cell_right"]),
                _p(_e(_unit(line.unit_code)), st["cell"]),
                _p(fr_price(unit_price), st["cell_right"]),
                _p(_e(_discount_label(line)), st["cell_right"]),
                _p(_e(_vat_label(line.vat_category, line.vat_rate)), st["cell_right"]),
                _p(fr_money(line.net_amount, invoice.currency), st["cell_right"]),
            ]
        )
    widths = [None, 16 * mm, 14 * mm, 21 * mm, 17 * mm, 17 * mm, 26 * mm]
    widths[0] = CONTENT_WIDTH - sum(w for w in widths if w)
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
    table.setStyle(_table_style(style))
    return table


def _allowances_table(invoice: Invoice, st) -> Table | None:
    if not invoice.allowances_charges:
        return None
    data = [
        [
            _p("Remises et frais sur le document", st["head"]),
            _p("TVA", st["head_right"]),
            _p("Montant HT", st["head_right"]),
        ]
    ]
    for item in invoice.allowances_charges:
        sign = "" if item.is_charge else "−"
        label = item.reason + (f" ({format_percent_fr(item.percent)})" if item.percent is not None else "")
        data.append(
            [
                _p(_e(label), st["cell"]),
                _p(_e(_vat_label(item.vat_category, item.vat_rate)), st["cell_right"]),
                _p(f"{sign}{fr_money(item.amount, invoice.currency)}", st["cell_right"]),
            ]
        )
    table = Table(data, colWidths=[CONTENT_WIDTH - 43 * mm, 17 * mm, 26 * mm])
    table.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _vat_table(invoice: Invoice, st) -> Table:
    data = [[_p("TVA", st["head"]), _p("Base HT", st["head_right"]), _p("Montant TVA", st["head_right"])]]
    for tax in invoice.taxes:
        label = _vat_label(tax.category, tax.rate)
        if tax.category != VatCategory.STANDARD:
            label = f"{label} ({tax.category})"
        data.append(
            [
                _p(_e(label), st["cell"]),
                _p(fr_money(tax.base, invoice.currency), st["cell_right"]),
                _p(fr_money(tax.amount, invoice.currency), st["cell_right"]),
            ]
        )
    table = Table(data, colWidths=[30 * mm, 28 * mm, 26 * mm], hAlign="LEFT")
    table.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _totals_table(invoice: Invoice, st) -> Table:
    totals = invoice.totals
    cur = invoice.currency
    rows = []
    if totals.allowance_total or totals.charge_total:
        rows.append(("Total des lignes HT", fr_money(totals.line_total, cur)))
        if totals.allowance_total:
            rows.append(("Remises", f"−{fr_money(totals.allowance_total, cur)}"))
        if totals.charge_total:
            rows.append(("Frais", fr_money(totals.charge_total, cur)))
    rows.append(("Total HT", fr_money(totals.tax_basis_total, cur)))
    rows.append(("Total TVA", fr_money(totals.tax_total, cur)))
    rows.append(("Total TTC", fr_money(totals.grand_total, cur)))
    if totals.prepaid_amount:
        rows.append(("Acomptes déduits", f"−{fr_money(totals.prepaid_amount, cur)}"))
    if totals.rounding_amount:
        rows.append(("Arrondi", fr_money(totals.rounding_amount, cur)))
    due_label = "Montant de l'avoir" if invoice.is_credit_note else "Net à payer"
    rows.append((due_label, fr_money(totals.due_amount, cur)))
    data = [[_p(_e(label), st["cell"]), _p(value, st["cell_right"])] for label, value in rows]
    data[-1] = [_p(f"<b>{_e(rows[-1][0])}</b>", st["cell"]), _p(f"<b>{rows[-1][1]}</b>", st["cell_right"])]
    table = Table(data, colWidths=[38 * mm, 32 * mm], hAlign="RIGHT")
    table.setStyle(
        _table_style(
            [
                ("LINEBELOW", (0, 0), (-1, -2), 0.3, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), ZEBRA),
                ("BOX", (0, -1), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def tax_mentions(invoice: Invoice) -> list[str]:
    """The VAT mentions the law asks to print (CGI 242 nonies A, 283, 262 ter I, 262 I, 293 B)."""
    mentions = []
    for tax in invoice.taxes:
        reason = tax.exemption_reason
        if tax.category == VatCategory.REVERSE_CHARGE:
            text = reason if "autoliquidation" in reason.lower() else f"Autoliquidation {reason}".strip()
            mentions.append(f"{text.rstrip('.')} — TVA due par le preneur.")
        elif reason:
            mentions.append(reason if reason.endswith(".") else reason + ".")
    if invoice.vat_on_debits:
        mentions.append(
            "TVA acquittée sur les débits (option pour le paiement de la taxe d'après les débits)."
        )
    return mentions


def _references(invoice: Invoice) -> list[str]:
    refs = []
    for ref in invoice.preceding_invoices:
        when = f" du {fr_date(ref.issue_date)}" if ref.issue_date else ""
        if invoice.type_code in (DocumentType.CREDIT_NOTE, DocumentType.CORRECTED_INVOICE):
            refs.append(f"Facture rectifiée : N° {ref.number}{when}")
        elif invoice.framework == Framework.FINAL_AFTER_DEPOSIT:
            refs.append(f"Facture d'acompte déduite : N° {ref.number}{when}")
        else:
            refs.append(f"Facture de référence : N° {ref.number}{when}")
    if invoice.is_credit_note and invoice.reason:
        refs.append(f"Motif de l'avoir : {invoice.reason}")
    return refs


def _payment_lines(invoice: Invoice, legal: dict) -> list[str]:
    lines = []
    if invoice.payment_terms:
        lines.append(f"<b>Conditions de paiement :</b> {_e(invoice.payment_terms)}")
    if invoice.due_date and not invoice.is_credit_note:
        lines.append(f"<b>Date d'échéance :</b> {fr_date(invoice.due_date)}")
    means = invoice.payment_means
    if means is not None:
        label = {"30": "Virement", "58": "Virement SEPA", "59": "Prélèvement SEPA", "49": "Prélèvement"}.get(
            means.code, "Paiement"
        )
        iban = means.iban or legal.get("iban", "")
        bic = means.bic or legal.get("bic", "")
        text = f"<b>Mode de paiement :</b> {label}"
        if iban:
            text += f" — IBAN {_e(_iban(iban))}"
        if bic:
            text += f" — BIC {_e(bic)}"
        lines.append(text)
        lines.append(f"<b>Référence à rappeler :</b> {_e(invoice.effective_payment_reference)}")
    return lines


def _legal_notes(invoice: Invoice) -> list[str]:
    order = {NOTE_EARLY_PAYMENT_DISCOUNT: 0, NOTE_LATE_PENALTIES: 1, NOTE_RECOVERY_INDEMNITY: 2}
    notes = sorted(invoice.notes, key=lambda n: order.get(n.subject_code, 3))
    return [n.text for n in notes]


def _footer_lines(invoice: Invoice, legal: dict) -> tuple[str, ...]:
    seller = invoice.seller
    first = [seller.name, *_legal_identity(seller, legal)]
    address = ", ".join(_address_lines(seller.address))
    second = [address] if address else []
    if seller.vat_number:
        second.append(f"TVA {seller.vat_number}")
    return tuple(" — ".join(parts) for parts in (first, second) if parts)


def render_pdf(invoice: Invoice, seller_legal: dict) -> bytes:
    """The invoice as an A4 PDF, byte-identical for identical input.

    `seller_legal` completes the seller's mentions that EN 16931 has no field for:
    legal_form ("SAS", "SARL", "EI"…), share_capital (Decimal), rcs_city, and optionally
    phone, email, website, iban, bic (used when the invoice has no payment means of its own).
    """
    _register_fonts()
    st = _styles()
    legal = dict(seller_legal or {})
    title = TITLES.get(invoice.type_code, "FACTURE")
    buffer = io.BytesIO()

    canvas_class = type(
        "InvoiceCanvas",
        (_InvoiceCanvas,),
        {
            "document_date": invoice.issue_date,
            "footer_lines": _footer_lines(invoice, legal),
            "running_title": f"{title.capitalize()} {invoice.number} du {fr_date(invoice.issue_date)}",
        },
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=f"{title.capitalize()} {invoice.number}",
        author=invoice.seller.name,
        subject=f"{title.capitalize()} {invoice.number} du {fr_date(invoice.issue_date)} — {invoice.buyer.name}",
        creator="Comptoir",
        keywords=["Factur-X", title.capitalize(), invoice.number],
        invariant=1,
        initialFontName=FONT,
        lang="fr-FR",
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

    story: list = []
    header = Table(
        [
            [
                _seller_block(invoice, legal, st),
                [_p(title, st["title"]), Spacer(1, 3 * mm), _document_box(invoice, st)],
            ]
        ],
        colWidths=[CONTENT_WIDTH - 90 * mm, 90 * mm],
    )
    header.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [header, Spacer(1, 6 * mm)]

    half = (CONTENT_WIDTH - 6 * mm) / 2
    buyer_box = _party_box("CLIENT", _buyer_lines(invoice.buyer), st, half)
    if invoice.ship_to is not None:
        ship_lines = ([f"<b>{_e(invoice.ship_to.name)}</b>"] if invoice.ship_to.name else []) + [
            _e(line) for line in _address_lines(invoice.ship_to.address)
        ]
        left = _party_box("ADRESSE DE LIVRAISON", ship_lines, st, half)
    else:
        left = Spacer(1, 1)
    parties = Table([[left, buyer_box]], colWidths=[half + 6 * mm, half])
    parties.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [parties, Spacer(1, 5 * mm)]

    intro = [f"<b>Opération :</b> {_e(OPERATION_LABELS[invoice.operation_nature])}"]
    intro += [f"<b>{_e(text)}</b>" for text in _references(invoice)]
    story += [_p(text, st["base"]) for text in intro]
    story.append(Spacer(1, 3 * mm))

    story.append(_lines_table(invoice, st))
    allowances = _allowances_table(invoice, st)
    if allowances is not None:
        story += [Spacer(1, 3 * mm), allowances]
    story.append(Spacer(1, 4 * mm))

    summary = Table(
        [[_vat_table(invoice, st), _totals_table(invoice, st)]],
        colWidths=[CONTENT_WIDTH - 72 * mm, 72 * mm],
    )
    summary.setStyle(
        _table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [KeepTogether([summary]), Spacer(1, 5 * mm)]

    payment = _payment_lines(invoice, legal)
    if payment:
        story.append(CondPageBreak(25 * mm))
        story.append(_p("Règlement", st["section"]))
        story += [_p(text, st["mention"]) for text in payment]
        story.append(Spacer(1, 3 * mm))

    mentions = [_e(text) for text in tax_mentions(invoice)] + [_e(text) for text in _legal_notes(invoice)]
    if mentions:
        block = [_p("Mentions légales", st["section"])] + [_p(text, st["mention"]) for text in mentions]
        story.append(KeepTogether(block))

    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
