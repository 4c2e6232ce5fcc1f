"""Order forms in Excel or CSV: a customer's own template, not ours.

The table's header row is found among the first rows as the one naming the most known columns (reference,
EAN, description, quantity, unit price, in French or English); the cells above it are read as
« label : value » pairs (on one cell, or a label cell followed by its value) for the PO number, its date,
the requested delivery date and the customer's identifiers. Values under a recognised header are read with
confidence 0.95 (the column was recognised by its name, not stated by a schema); a PO number found beside
a label 0.9. Lines end at the first empty row or a « Total » row. The source is the cell (« B7 »)."""

import re
from decimal import Decimal

from comptoir.imports import reading
from comptoir.intake.detection import XLSX
from comptoir.intake.extraction import ORDER, ExtractedDocument, ExtractedLine, ParseError

HEADER_ROWS = 40
CELL_CONFIDENCE = Decimal("0.95")
LABEL_CONFIDENCE = Decimal("0.9")

COLUMNS = {
    "customer_reference": {
        "ref",
        "ref.",
        "reference",
        "ref client",
        "ref. client",
        "reference client",
        "votre reference",
        "vos references",
        "code article client",
        "article client",
        "buyer reference",
        "customer reference",
        "your reference",
        "item",
        "item code",
        "article",
        "code article",
    },
    "our_code": {
        "ref fournisseur",
        "ref. fournisseur",
        "reference fournisseur",
        "notre reference",
        "sku",
        "supplier reference",
        "code fournisseur",
    },
    "ean": {"ean", "ean13", "ean 13", "gtin", "code barre", "code-barre", "code barres", "barcode"},
    "description": {
        "designation",
        "description",
        "libelle",
        "produit",
        "article designation",
        "product",
        "item description",
        "desc",
    },
    "quantity": {"quantite", "qte", "qte.", "qty", "quantity", "quantite commandee", "nombre", "qt"},
    "unit": {"unite", "u", "unit", "uom"},
    "unit_price": {
        "prix unitaire",
        "pu",
        "p.u.",
        "pu ht",
        "p.u. ht",
        "prix unitaire ht",
        "prix",
        "unit price",
        "price",
        "prix ht",
    },
}
KNOWN = {name: kind for kind, names in COLUMNS.items() for name in names}

LABELS = (
    (
        "po_number",
        re.compile(
            r"^(n[°o]?\s*(de\s*)?commande|bon de commande|commande n[°o]?|num[eé]ro de commande|order (no|number|#)|po( number| n[°o])?|purchase order( number)?|votre commande)\b",
            re.I,
        ),
    ),
    ("po_date", re.compile(r"^(date( de (la )?commande)?|order date)$", re.I)),
    (
        "requested_date",
        re.compile(
            r"^(date de livraison( souhait[ée]e)?|livraison souhait[ée]e|delivery date|requested date|livrer le)",
            re.I,
        ),
    ),
    ("buyer_siret", re.compile(r"^siret\b", re.I)),
    ("buyer_siren", re.compile(r"^siren\b", re.I)),
    ("buyer_vat", re.compile(r"^(n[°o]?\s*)?(tva( intracom(munautaire)?)?|vat( number)?)\b", re.I)),
    ("buyer_gln", re.compile(r"^(gln|ean client)\b", re.I)),
    ("buyer_name", re.compile(r"^(client|soci[ée]t[ée]|customer|raison sociale|company|buyer)$", re.I)),
    ("delivery_address", re.compile(r"^(adresse de livraison|livrer [àa]|delivery address|ship to)", re.I)),
)
TOTAL_ROW = re.compile(r"^(total|sous[- ]total|montant|net [àa] payer)", re.I)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(row: int, column: int, fmt: str) -> str:
    return f"{_column_letter(column)}{row}" if fmt == XLSX else f"ligne {row}, colonne {column + 1}"


def _label_value(cells: list[str], index: int) -> str:
    cell = cells[index]
    if ":" in cell:
        after = cell.split(":", 1)[1].strip()
        if after:
            return after
    for following in cells[index + 1 :]:
        if following.strip():
            return following.strip()
    return ""


def _read_labels(doc, number: int, cells: list[str], fmt: str) -> None:
    for index, cell in enumerate(cells):
        label = cell.split(":", 1)[0].strip()
        if not label or len(label) > 60:
            continue
        for name, pattern in LABELS:
            if pattern.search(label):
                value = _label_value(cells, index)
                if name in ("po_date", "requested_date"):
                    try:
                        value = reading.parse_date(value).isoformat()
                    except ValueError:
                        continue
                if name in ("buyer_siret", "buyer_siren", "buyer_vat", "buyer_gln"):
                    value = re.sub(r"[\s.]", "", value)
                if value:
                    doc.put(name, value, _cell(number, index, fmt), LABEL_CONFIDENCE)
                    if name == "buyer_siret" and len(value) == 14:
                        doc.put("buyer_siren", value[:9], _cell(number, index, fmt), LABEL_CONFIDENCE)
                break


def _header_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        kind = KNOWN.get(reading.normalize(cell).rstrip(" :"))
        if kind and kind not in columns:
            columns[kind] = index
    return columns


def parse(content: bytes, fmt: str) -> ExtractedDocument:
    try:
        sheet = reading.read_xlsx(content) if fmt == XLSX else reading.read_csv(content)
        rows = list(sheet.rows)
    except reading.Unreadable as exc:
        raise ParseError("sheet_unreadable", str(exc)[:200]) from exc
    doc = ExtractedDocument(kind=ORDER, format=fmt)
    best, best_columns = None, {}
    for position, (_number, cells) in enumerate(rows[:HEADER_ROWS]):
        columns = _header_columns(cells)
        if "quantity" in columns and len(columns) > len(best_columns):
            best, best_columns = position, columns
    if best is None or not ({"customer_reference", "our_code", "ean", "description"} & set(best_columns)):
        raise ParseError("sheet_no_header")
    for number, cells in rows[:best]:
        _read_labels(doc, number, cells, fmt)
    for number, cells in rows[best + 1 :]:
        if not any(cell.strip() for cell in cells):
            if doc.lines:
                break
            continue
        if any(TOTAL_ROW.match(cell.strip()) for cell in cells if cell.strip()):
            _read_labels(doc, number, cells, fmt)
            break
        line = ExtractedLine()
        for kind, index in best_columns.items():
            if index < len(cells):
                value = cells[index]
                if kind in ("quantity", "unit_price") and value:
                    try:
                        value = str(reading.parse_decimal(value))
                    except ValueError:
                        line.put(kind, value, _cell(number, index, fmt), Decimal("0.3"))
                        continue
                line.put(kind, value, _cell(number, index, fmt), CELL_CONFIDENCE)
        if line.value("quantity") or line.value("customer_reference") or line.value("description"):
            doc.lines.append(line)
    return doc
