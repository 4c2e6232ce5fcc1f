"""The lines table of an order (no Django): it starts at the line naming the most known column headers (a
quantity and one of reference, our code, EAN, description); each following line's segments fall into
the columns whose header they sit under; a line with only description text just below one continues
its description; the table ends at « Total », « Sous-total », « Net à payer »…; a header repeated on a
later page takes up the columns again.
"""

import math
import re
from dataclasses import dataclass

from comptoir.intake.extraction import ExtractedDocument, ExtractedLine
from comptoir.intake.values import number_text, parse_number
from comptoir.intake.words import CELL_CONFIDENCE, DOUBTFUL, Line, Segment, Word, _conf, plain, source

# --- Columns -------------------------------------------------------------------------------------------

COLUMNS = {
    "customer_reference": (
        "ref client",
        "ref. client",
        "reference client",
        "notre ref",
        "notre ref.",
        "notre reference",
        "nos ref",
        "code article",
        "article",
        "code",
        "ref",
        "ref.",
        "reference",
        "our ref",
        "our ref.",
        "our reference",
        "item code",
        "item",
        "item no",
        "part no",
        "part number",
        "buyer ref",
        "customer ref",
        "customer reference",
        "ref. interne",
        "code interne",
    ),
    "our_code": (
        "ref fournisseur",
        "ref. fournisseur",
        "reference fournisseur",
        "code fournisseur",
        "votre ref",
        "votre ref.",
        "votre reference",
        "vos ref",
        "vos ref.",
        "your ref",
        "your ref.",
        "your reference",
        "supplier ref",
        "supplier ref.",
        "supplier reference",
        "supplier code",
        "vendor ref",
        "vendor code",
        "sku",
    ),
    "ean": (
        "ean",
        "ean13",
        "ean 13",
        "ean/gtin",
        "gtin",
        "code barre",
        "code-barre",
        "code barres",
        "barcode",
    ),
    "description": (
        "designation",
        "description",
        "libelle",
        "produit",
        "article designation",
        "product",
        "item description",
        "product description",
        "desc",
    ),
    "quantity": (
        "quantite",
        "qte",
        "qte.",
        "qty",
        "qty.",
        "quantity",
        "quantite commandee",
        "qt",
        "qte cde",
        "nb",
    ),
    "unit": ("unite", "u", "u.", "unit", "uom", "un.", "cond.", "conditionnement"),
    "unit_price": (
        "prix unitaire",
        "pu",
        "p.u.",
        "pu ht",
        "p.u. ht",
        "p.u ht",
        "prix unitaire ht",
        "prix unit. ht",
        "prix unit.",
        "prix",
        "prix ht",
        "unit price",
        "price",
        "unit price excl. vat",
        "net price",
        "prix net",
    ),
    "_other": (
        "montant",
        "montant ht",
        "total",
        "total ht",
        "total ligne",
        "line total",
        "amount",
        "net amount",
        "tva",
        "vat",
        "taux tva",
        "remise",
        "discount",
        "pos",
        "pos.",
        "ligne",
        "line",
        "n°",
        "#",
        "delai",
        "date livraison",
        "delivery",
    ),
}
_PHRASES = {tuple(plain(phrase).split()): kind for kind, phrases in COLUMNS.items() for phrase in phrases}
_LONGEST = max(len(p) for p in _PHRASES)
TOTAL_ROW = re.compile(
    r"^(total|sous[- ]total|montant (total|ht|ttc)|net a payer|subtotal|sub-total|grand total|amount due)\b"
)
CONTINUED = re.compile(r"^(report|a reporter|carried forward|brought forward)\b")


@dataclass
class Column:
    kind: str
    x0: float
    x1: float


def header_columns(line: Line) -> list[Column]:
    """The known column headers of a line, longest phrases first, left to right."""
    words = line.words
    columns: list[Column] = []
    index = 0
    while index < len(words):
        for size in range(min(_LONGEST, len(words) - index), 0, -1):
            chunk = words[index : index + size]
            folded = plain(" ".join(w.text for w in chunk)).rstrip(" :")
            kind = _PHRASES.get(tuple(folded.split())) or _PHRASES.get(tuple(folded.rstrip(".").split()))
            if kind:
                # A phrase spans one cell: words farther apart than a column gap are not one header.
                if size > 1 and any(
                    b.x0 - a.x1 > 1.5 * line.height for a, b in zip(chunk, chunk[1:], strict=False)
                ):
                    continue
                columns.append(Column(kind, chunk[0].x0, chunk[-1].x1))
                index += size
                break
        else:
            columns.append(Column("_unknown", words[index].x0, words[index].x1))
            index += 1
    # Unknown words beside a known header belong to it (« Prix unitaire HT (€) »).
    merged: list[Column] = []
    for column in columns:
        if column.kind == "_unknown" and merged and column.x0 - merged[-1].x1 < line.height:
            merged[-1].x1 = column.x1
        elif column.kind == "_unknown":
            merged.append(Column("_other", column.x0, column.x1))
        else:
            merged.append(column)
    return merged


def is_header(columns: list[Column]) -> bool:
    kinds = {c.kind for c in columns}
    return "quantity" in kinds and bool(kinds & {"customer_reference", "our_code", "ean", "description"})


def _assign(word_or_segment, columns: list[Column]) -> int | None:
    x0, x1 = word_or_segment.x0, word_or_segment.x1
    best, best_overlap = None, 0.0
    for index, column in enumerate(columns):
        overlap = min(x1, column.x1) - max(x0, column.x0)
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    if best is not None:
        return best
    nearest, distance = None, math.inf
    for index, column in enumerate(columns):
        gap = column.x0 - x1 if x1 < column.x0 else x0 - column.x1
        if gap < distance:
            nearest, distance = index, gap
    return nearest


def cells_of(line: Line, columns: list[Column]) -> dict[int, list[Word]]:
    cells: dict[int, list[Word]] = {}
    for segment in line.segments:
        touched = [i for i, c in enumerate(columns) if min(segment.x1, c.x1) - max(segment.x0, c.x0) > 0]
        if len(touched) <= 1:
            index = _assign(segment, columns)
            cells.setdefault(index, []).extend(segment.words)
        else:
            # A run of words over several columns (cells too close to be told apart by the gap rule): cut
            # it at its widest gaps, one cut per extra column, and place each piece.
            words = segment.words
            gaps = sorted(range(1, len(words)), key=lambda i: words[i].x0 - words[i - 1].x1, reverse=True)
            cuts = sorted(gaps[: len(touched) - 1])
            for start, end in zip([0, *cuts], [*cuts, len(words)], strict=True):
                piece = Segment(words[start:end])
                if piece.words:
                    cells.setdefault(_assign(piece, columns), []).extend(piece.words)
    return cells


def _ean_ok(digits: str) -> bool:
    if len(digits) not in (8, 12, 13, 14):
        return False
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == int(digits[-1])


def _read_line(cells: dict[int, list[Word]], columns: list[Column], habit: str) -> ExtractedLine | None:
    line = ExtractedLine()
    values: dict[str, tuple[str, list[Word]]] = {}
    for index, words in cells.items():
        kind = columns[index].kind
        if kind.startswith("_"):
            continue
        words = sorted(words, key=lambda w: w.x0)
        text = " ".join(w.text for w in words).strip()
        if kind in values:
            text = values[kind][0] + " " + text
            words = values[kind][1] + words
        values[kind] = (text, words)
    quantity = values.get("quantity")
    if not quantity:
        return None
    text, words = quantity
    match = re.match(r"^\s*([\d\s.,\u00a0\u202f]*\d)\s*([^\d\s].*)?$", text)
    if not match:
        return None
    number = parse_number(match.group(1), habit)
    if number is None or number <= 0:
        return None
    if not any(values.get(k) for k in ("customer_reference", "our_code", "ean", "description")):
        return None
    line.put("quantity", number_text(number), source(words), _conf(CELL_CONFIDENCE, words))
    if match.group(2) and "unit" not in values:
        line.put("unit", match.group(2).strip(), source(words), _conf(CELL_CONFIDENCE, words))
    for kind, (text, words) in values.items():
        if kind == "quantity":
            continue
        conf = _conf(CELL_CONFIDENCE, words)
        if kind == "unit_price":
            number = parse_number(text, habit)
            if number is None:
                line.put(kind, text, source(words), DOUBTFUL * conf)
                continue
            text = number_text(number)
        elif kind == "ean":
            digits = re.sub(r"\D", "", text)
            if not _ean_ok(digits):
                line.put(kind, digits or text, source(words), DOUBTFUL * conf)
                continue
            text = digits
        elif kind in ("customer_reference", "our_code"):
            text = text.replace(" ", "")
        line.put(kind, text, source(words), conf)
    return line


def _table(lines: list[Line], doc: ExtractedDocument, habit: str) -> None:
    columns: list[Column] | None = None
    current: ExtractedLine | None = None
    last_y1 = None
    last_page = None
    for line in lines:
        found = header_columns(line)
        if is_header(found):
            columns, current, last_y1, last_page = found, None, line.y1, line.page
            continue
        if columns is None:
            continue
        first = plain(line.segments[0].text)
        if TOTAL_ROW.match(first):
            if doc.lines:
                return
            continue
        if CONTINUED.match(first):
            continue
        cells = cells_of(line, columns)
        read = _read_line(cells, columns, habit)
        if read is not None:
            doc.lines.append(read)
            current, last_y1, last_page = read, line.y1, line.page
            continue
        # Only description text just below an order line: it continues that line's description.
        kinds = {columns[i].kind for i in cells}
        if (
            current is not None
            and kinds == {"description"}
            and line.page == last_page
            and line.y0 - last_y1 < 1.2 * line.height
            and "description" in current.fields
        ):
            words = [w for i in cells for w in cells[i]]
            previous = current.fields["description"]
            previous.value = (
                previous.value + " " + " ".join(w.text for w in sorted(words, key=lambda w: w.x0))
            )
            last_y1 = line.y1
