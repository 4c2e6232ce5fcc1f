"""An order typed in the body of an e-mail: « label : value » lines for the PO number, dates and
identifiers, then either a table (an HTML table arrives as tab-separated rows, a plain-text one with
columns separated by tabs, « ; », « | » or several spaces) under a header naming a quantity and a
reference or description column, or free lines such as « 10 x VIS-M6-50 Vis inox » or
« Réf. GANT-T9 : gants cuir, qté 24 ». No Django.

Free text is less sure than a table: table cells are read with confidence 0.9, labels 0.85, free lines
0.8; the source is « corps, ligne N ». A body with no line is not an order (`email_no_order`): the
message's attachments carry the order, or a person reads it.
"""

import re
from decimal import Decimal

from comptoir.imports import reading
from comptoir.intake import mail
from comptoir.intake.extraction import ORDER, ExtractedDocument, ExtractedLine, ParseError
from comptoir.intake.parsers import sheets

EMAIL_BODY = "email"
TABLE_CONFIDENCE = Decimal("0.9")
LABEL_CONFIDENCE = Decimal("0.85")
LINE_CONFIDENCE = Decimal("0.8")
MAX_LINES = 2000

_QTY = r"(?P<qty>\d{1,6}(?:[.,]\d{1,3})?)"
_UNIT_WORD = r"(?:x|×|X|pcs?\.?|pi[eè]ces?|u\.?|unit[ée]s?|bo[iî]tes?|cartons?|lots?|paquets?|rouleaux?)"
# A reference: letters and digits (at least one digit), dashes, dots or slashes, upper case as printed.
_REF = r"(?P<ref>(?=[A-Z0-9\-_./]*\d)[A-Z0-9][A-Z0-9\-_./]{2,39})"
_PRICE = re.compile(
    r"\s*(?:[,;-]\s*)?(?:[àa@]|au prix de|prix(?: unitaire)?|PU(?: HT)?)\s*:?\s*"
    r"(?P<price>\d{1,7}(?:[.,]\d{1,4})?)\s*(?:€|EUR|euros?)?\s*(?:HT|H\.T\.)?\s*(?:l'unit[ée]|/\s*u(?:nit[ée])?|pi[eè]ce)?\.?\s*$",
    re.I,
)
# « 10 x VIS-M6-50 Vis inox », « 10 boîtes de VIS-M6-50 », « 3 × Perceuse 18 V »
QTY_FIRST = re.compile(
    rf"^(?:[-*•·]\s*)?{_QTY}\s*{_UNIT_WORD}\s+(?:de\s+|d')?(?:(?:r[ée]f\.?|r[ée]f[ée]rence|article)\s*:?\s*)?"
    rf"(?:{_REF}\b)?\s*[-–:]?\s*(?P<desc>.*)$"
)
# « VIS-M6-50 : 10 », « Réf. GANT-T9 - gants cuir - qté 24 », « PERC-18V x 2 »
REF_FIRST = re.compile(
    rf"^(?:[-*•·]\s*)?(?:(?:r[ée]f\.?|R[ÉE]F\.?|r[ée]f[ée]rence|article|Article)\s*:?\s*)?{_REF}\b\s*[-–:]?\s*"
    rf"(?P<desc>.*?)\s*[-–:,;(]?\s*(?:qt[ée]\.?|quantit[ée]|qty|quantity|x|×|X)\s*:?\s*{_QTY}\s*{_UNIT_WORD}?\)?"
    rf"(?P<rest>.*)$",
    re.I,
)
# Where the order ends: a quoted reply, a signature, the previous message.
_END = re.compile(r"^(--\s*$|>|_{5,}|-{5,}\s*(message|original)|(le|on) .{5,80}(a écrit|wrote)\s*:)", re.I)
_CELL_SPLIT = re.compile(r"\t|\s*[;|]\s*|\s{2,}")
_PO_INLINE = re.compile(
    r"(?:notre |votre )?(?:bon de commande|commande|order|PO)\s*(?:n[°o]\.?|num[ée]ro|number|#)\s*:?\s*"
    r"(?P<po>[A-Z0-9][A-Za-z0-9\-_/.]{1,39}[A-Za-z0-9])",
    re.I,
)
_SIRET = re.compile(r"\bSIRET\s*:?\s*(?P<v>(?:\d\s?){14})\b", re.I)
_SIREN = re.compile(r"\bSIREN\s*:?\s*(?P<v>(?:\d\s?){9})\b", re.I)
_VAT = re.compile(r"\b(?P<v>FR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3})\b")


def _source(number: int) -> str:
    return f"corps, ligne {number}"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in _CELL_SPLIT.split(line.strip())]


def _decimal(text: str) -> str:
    try:
        return str(reading.parse_decimal(text))
    except ValueError:
        return ""


def _labels(doc: ExtractedDocument, number: int, line: str) -> None:
    """Header fields of one line: « label : value » as on an order form, or stated inline."""
    if ":" in line or "\t" in line:
        cells = [cell.strip() for cell in line.split("\t") if cell.strip()] or [line.strip()]
        before = dict(doc.fields)
        sheets._read_labels(doc, number, cells, "text")
        for name, found in doc.fields.items():
            if name not in before:
                found.source = _source(number)
                found.confidence = LABEL_CONFIDENCE
    if "po_number" not in doc.fields:
        found = _PO_INLINE.search(line)
        if found:
            doc.put("po_number", found.group("po").rstrip("."), _source(number), LABEL_CONFIDENCE)
    for name, pattern in (("buyer_siret", _SIRET), ("buyer_siren", _SIREN), ("buyer_vat", _VAT)):
        found = pattern.search(line)
        if found:
            doc.put(name, re.sub(r"\s", "", found.group("v")), _source(number), LABEL_CONFIDENCE)


def _table(doc: ExtractedDocument, lines: list[tuple[int, str]]) -> bool:
    """Lines read under the first table header found; True if a table was read."""
    for position, (_number, line) in enumerate(lines):
        cells = _cells(line)
        if len(cells) < 2:
            continue
        columns = sheets._header_columns(cells)
        if "quantity" not in columns or not (
            {"customer_reference", "our_code", "ean", "description"} & set(columns)
        ):
            continue
        for row_number, row in lines[position + 1 :]:
            if not row.strip():
                if doc.lines:
                    break
                continue
            values = _cells(row)
            if any(sheets.TOTAL_ROW.match(value) for value in values if value):
                break
            if len(values) < 2:
                break
            line_read = ExtractedLine()
            for kind, index in columns.items():
                if index >= len(values) or not values[index]:
                    continue
                value = values[index]
                if kind in ("quantity", "unit_price"):
                    value = _decimal(value)
                    if not value:
                        continue
                line_read.put(kind, value, _source(row_number), TABLE_CONFIDENCE)
            if line_read.value("quantity") and (
                line_read.value("customer_reference")
                or line_read.value("our_code")
                or line_read.value("ean")
                or line_read.value("description")
            ):
                doc.lines.append(line_read)
        return bool(doc.lines)
    return False


def _free_line(number: int, line: str) -> ExtractedLine | None:
    text = line.strip()
    if not text or len(text) > 300:
        return None
    price = ""
    found_price = _PRICE.search(text)
    if found_price:
        price = _decimal(found_price.group("price"))
        text = text[: found_price.start()].rstrip(" ,;-")
    found = QTY_FIRST.match(text)
    if found is None:
        found = REF_FIRST.match(text)
        if found is None or found.group("rest").strip(" .,;)"):
            return None
    quantity = _decimal(found.group("qty"))
    reference = found.group("ref") or ""
    description = (found.group("desc") or "").strip(" -–:,;")
    if not quantity or not (reference or len(description) >= 3):
        return None
    read = ExtractedLine()
    read.put("customer_reference", reference, _source(number), LINE_CONFIDENCE)
    read.put("description", description, _source(number), LINE_CONFIDENCE)
    read.put("quantity", quantity, _source(number), LINE_CONFIDENCE)
    read.put("unit_price", price, _source(number), LINE_CONFIDENCE)
    return read


def parse_text(text: str, *, fmt: str = EMAIL_BODY) -> ExtractedDocument:
    """The order typed in `text`; ParseError("email_no_order") when no line of an order is found."""
    doc = ExtractedDocument(kind=ORDER, format=fmt)
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n")[:MAX_LINES], start=1):
        if _END.match(line.strip()):
            break
        lines.append((number, line))
    for number, line in lines:
        _labels(doc, number, line)
    if not _table(doc, lines):
        for number, line in lines:
            read = _free_line(number, line)
            if read is not None:
                doc.lines.append(read)
    if not doc.lines:
        raise ParseError("email_no_order")
    return doc


def parse_email(content: bytes) -> ExtractedDocument:
    """The order in the body of an e-mail (.eml); the sender and subject help the matching."""
    message = mail.parse_message(content)
    doc = parse_text(message.body)
    found = _PO_INLINE.search(message.subject)
    if found:
        doc.put("po_number", found.group("po").rstrip("."), "Objet", LABEL_CONFIDENCE)
    if message.sender:
        doc.put("buyer_email", message.sender, "From", Decimal("1"))
    if message.sender_name:
        doc.put("sender_name", message.sender_name, "From", Decimal("1"))
    return doc
