"""An order read from words on a page: the same rules for a PDF's text layer and for OCR. No Django.

Input: pages of words, each with its box in points (origin top left) and a confidence (1 for a text layer,
the recogniser's score for OCR). Nothing depends on where a customer's template puts things:

* Words are grouped into lines (vertical overlap) and lines into segments (runs of words closer than about
  one line height): a segment is a cell, a label or a value.
* Header fields are found by their labels, in French and English (« N° de commande », « PO number »,
  « Date de livraison souhaitée », « SIRET », « VAT No »…): the value is the text after the label in its
  segment, else the next segment to its right, else the segment just below it; it must read as its kind
  (a date in French or English formats, a SIRET with its Luhn key, a VAT number…) or it is not taken.
  Identifiers under a « Fournisseur » / « Supplier » heading are the seller's, the others the buyer's.
* The lines table starts at the line naming the most known column headers (a quantity and one of
  reference, our code, EAN, description); each following line's segments fall into the columns whose
  header they sit under. A line with a quantity and something to identify the product is an order line;
  a line with only description text just below one continues its description; the table ends at
  « Total », « Sous-total », « Net à payer »… A header repeated on a later page takes up the columns
  again (multi-page orders); without it, the columns of the previous page go on.
* Numbers in French (« 1 234,50 ») and English (« 1,234.50 ») forms: the document's own habit (its prices
  with two decimals after a comma or a point) settles « 1,500 ».

Every field carries a confidence (the rule's own, times the words' score) and its source: the page and
the box of the words it was read from, « page 1 [56,120,210,131] » (points), for the review screen.
"""

import datetime
import math
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from comptoir.intake.extraction import ORDER, ExtractedDocument, ExtractedLine

LABEL_CONFIDENCE = Decimal("0.95")
CHECKED_CONFIDENCE = Decimal("0.98")  # an identifier whose check key is right
CELL_CONFIDENCE = Decimal("0.95")
DOUBTFUL = Decimal("0.5")


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int = 1
    conf: float = 1.0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word] = field(default_factory=list)


@dataclass
class Segment:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def conf(self) -> float:
        return min(w.conf for w in self.words)


@dataclass
class Line:
    words: list[Word]
    segments: list[Segment] = field(default_factory=list)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def page(self) -> int:
        return self.words[0].page

    @property
    def height(self) -> float:
        return statistics.median(w.height for w in self.words)

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)


def source(words) -> str:
    words = list(words)
    if not words:
        return ""
    x0, y0 = min(w.x0 for w in words), min(w.y0 for w in words)
    x1, y1 = max(w.x1 for w in words), max(w.y1 for w in words)
    return f"page {words[0].page} [{x0:.0f},{y0:.0f},{x1:.0f},{y1:.0f}]"


def plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip()


# --- Lines and segments --------------------------------------------------------------------------------


def lines_of(page: Page) -> list[Line]:
    """The words of a page in reading order, as lines; each line split into segments."""
    words = sorted((w for w in page.words if w.text.strip()), key=lambda w: (w.cy, w.x0))
    lines: list[list[Word]] = []
    for word in words:
        placed = False
        for line in reversed(lines[-3:]):
            top = statistics.median(w.y0 for w in line)
            bottom = statistics.median(w.y1 for w in line)
            overlap = min(bottom, word.y1) - max(top, word.y0)
            if overlap > 0.5 * min(bottom - top, word.height):
                line.append(word)
                placed = True
                break
        if not placed:
            lines.append([word])
    result = []
    for words_of_line in lines:
        words_of_line.sort(key=lambda w: w.x0)
        line = Line(words_of_line)
        gap_limit = 0.9 * max(line.height, 1.0)
        current = [words_of_line[0]]
        for word in words_of_line[1:]:
            if word.x0 - current[-1].x1 > gap_limit:
                line.segments.append(Segment(current))
                current = [word]
            else:
                current.append(word)
        line.segments.append(Segment(current))
        result.append(line)
    result.sort(key=lambda line: line.y0)
    return result


# --- Numbers and dates ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d[\d\s\u00a0\u202f.,']*$")


def decimal_habit(texts) -> str:
    """« , » or « . »: the decimal separator the document uses for amounts with two decimals."""
    comma = point = 0
    for text in texts:
        compact = re.sub(r"[\s\u00a0\u202f€$]|EUR", "", text)
        if re.fullmatch(r"\d[\d.]*,\d{2}", compact):
            comma += 1
        elif re.fullmatch(r"\d[\d,]*\.\d{2}", compact):
            point += 1
    return "." if point > comma else ","


def parse_number(text: str, habit: str = ",") -> Decimal | None:
    value = re.sub(r"[\s\u00a0\u202f']|€|EUR|\$", "", text or "", flags=re.I)
    if not value or not _NUMBER.match(value):
        return None
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        groups = value.split(",")
        if len(groups) > 2 or (habit == "." and len(groups[-1]) == 3):
            value = value.replace(",", "")
        else:
            value = value.replace(",", ".")
    elif "." in value:
        groups = value.split(".")
        if len(groups) > 2 or (habit == "," and len(groups[-1]) == 3 and len(groups[0]) <= 3):
            value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "feb": 2,
    "february": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "jun": 6,
    "june": 6,
    "juillet": 7,
    "juil": 7,
    "jul": 7,
    "july": 7,
    "aout": 8,
    "aug": 8,
    "august": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})\s?[/.\-]\s?(\d{1,2})\s?[/.\-]\s?(\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(\d{1,2})(?:er|st|nd|rd|th)?\s+" + _MONTH + r"\s+(\d{4})"), "dMy"),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"), "Mdy"),
)


def find_date(text: str) -> tuple[datetime.date, int, int] | None:
    """The first date in `text` (French or English forms) and where it is: (date, start, end)."""
    folded = plain(text)
    best = None
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(folded):
            groups = match.groups()
            try:
                if order == "ymd":
                    year, month, day = (int(g) for g in groups)
                elif order == "dmy":
                    day, month, year = (int(g) for g in groups)
                    if month > 12 >= day:
                        day, month = month, day
                elif order == "dMy":
                    day, month, year = int(groups[0]), MONTHS[groups[1]], int(groups[2])
                else:
                    month, day, year = MONTHS[groups[0]], int(groups[1]), int(groups[2])
                if year < 100:
                    year += 2000
                found = datetime.date(year, month, day)
            except (ValueError, KeyError):
                continue
            if best is None or match.start() < best[1]:
                best = (found, match.start(), match.end())
            break
    return best


# --- Identifiers ----------------------------------------------------------------------------------------


def luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _siret(text: str):
    match = re.search(r"(?<!\d)(\d[\d\s.]{12,20}\d)(?!\d)", text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) != 14:
        return None
    return digits, luhn(digits)


def _siren(text: str):
    match = re.search(r"(?<!\d)(\d[\d\s.]{7,12}\d)(?!\d)", text)
    if not match:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    if len(digits) == 14:
        digits = digits[:9]
    if len(digits) != 9:
        return None
    return digits, luhn(digits)


def _vat(text: str):
    match = re.search(r"\b([A-Z]{2})\s?([0-9A-Z]{2}(?:\s?[0-9A-Z]){6,11})\b", text.upper())
    if not match or match.group(1) not in _EU:
        return None
    value = match.group(1) + re.sub(r"\s", "", match.group(2))
    if value.startswith("FR"):
        if not re.fullmatch(r"FR[0-9A-Z]{2}\d{9}", value):
            return None
        key, siren = value[2:4], value[4:]
        ok = key.isdigit() and int(key) == (12 + 3 * (int(siren) % 97)) % 97
        return value, ok
    return value, any(c.isdigit() for c in value)


_EU = set("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split())


def _po(text: str):
    text = text.strip().lstrip(":#°").strip()
    text = re.sub(r"^(n[°o]\.?|no\.?|#)\s*", "", text, flags=re.I).lstrip(":").strip()
    match = re.match(r"([A-Za-z0-9][A-Za-z0-9/_.\-]{1,39})", text)
    if not match:
        return None
    value = match.group(1).rstrip(".-/")
    if not any(c.isdigit() for c in value):
        return None
    if find_date(value) and re.fullmatch(r"[\d/.\-]+", value):
        return None
    return value, True


def _date_value(text: str):
    found = find_date(text)
    if not found:
        return None
    return found[0].isoformat(), True


VALIDATORS = {
    "po_number": _po,
    "po_date": _date_value,
    "requested_date": _date_value,
    "buyer_siret": _siret,
    "buyer_siren": _siren,
    "buyer_vat": _vat,
}

# Labels, matched on the folded text (no accents, lower case). Longer labels win over shorter ones that
# overlap them (« date de livraison » over « date »).
LABELS = (
    (
        "requested_date",
        r"date de livraison (souhaitee|demandee|prevue|imperative)|date de livraison|livraison (souhaitee|demandee|prevue)( le)?"
        r"|a livrer (le|pour le)|livrer le|delai de livraison|requested delivery date|requested delivery|delivery date"
        r"|requested date|deliver(y)? by|required by|date required|need(ed)? by|ship date",
    ),
    (
        "po_number",
        r"(bon de commande|commande|order|purchase order|p\.?o\.?)\s*(n[°o]\.?|no\.?|number|num(ero)?\.?|#|ref(erence)?\.?)"
        r"|(n[°o]\.?|numero|num\.?|reference|ref\.?) (de |du )?(la )?(bon de )?commande|votre commande|po number"
        r"|order ref(erence)?|purchase order|bon de commande|p\.?o\.?(?=\s*:)",
    ),
    (
        "po_date",
        r"date (de (la )?commande|du bon de commande|d'emission|de la cde)|order date|date of order|po date|date",
    ),
    ("buyer_siret", r"siret|n[°o] siret"),
    ("buyer_siren", r"siren|n[°o] siren"),
    (
        "buyer_vat",
        r"(n[°o]\.? )?(de )?tva( intra(-?communautaire|com\.?)?)?|vat( reg(istration)?\.?)?( (no|number|id)\.?)?|num[eé]ro de tva",
    ),
    (
        "delivery_address",
        r"adresse de livraison|lieu de livraison|livrer a|a livrer a|delivery address|ship to|deliver to|delivery to",
    ),
)
_LABELS = [(name, re.compile(r"(?<![a-z])(" + pattern + r")(?![a-z])")) for name, pattern in LABELS]
SELLER_HEADING = re.compile(r"^(fournisseur|supplier|vendor|a l'attention de|destinataire|to)\b")
OTHER_HEADING = re.compile(
    r"^(client|acheteur|buyer|emetteur|from|facturation|adresse de facturation|bill to|invoice to|"
    r"adresse de livraison|livrer a|ship to|deliver to|delivery address|conditions|remarques|notes)\b"
)
PARTY_HEADING = re.compile(SELLER_HEADING.pattern[:-3] + "|" + OTHER_HEADING.pattern[2:])


def label_matches(text: str) -> list[tuple[str, int, int]]:
    """(field, start, end) of every label in a segment's folded text, longest first where they overlap."""
    folded = plain(text)
    found = []
    for name, pattern in _LABELS:
        for match in pattern.finditer(folded):
            found.append((name, match.start(), match.end()))
    found.sort(key=lambda f: (f[1], -(f[2] - f[1])))
    kept: list[tuple[str, int, int]] = []
    for item in found:
        if kept and item[1] < kept[-1][2]:
            continue
        kept.append(item)
    return kept


def _folded_offsets(text: str) -> list[int]:
    """For each index of plain(text), the index in `text` it comes from (plain only drops accents and
    squeezes spaces, so it can be walked along)."""
    offsets = []
    previous_space = True
    for index, char in enumerate(text.strip() if text else ""):
        decomposed = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            kept = " "
        else:
            previous_space = False
        offsets.extend([index] * len(kept))
    offsets.append(len(text.strip()) if text else 0)
    return offsets


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


# --- The document ---------------------------------------------------------------------------------------


def _conf(base: Decimal, words) -> Decimal:
    score = min((w.conf for w in words), default=1.0)
    return (base * Decimal(str(round(score, 3)))).quantize(Decimal("0.001"))


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


def _zone_is_seller(segment: Segment, lines: list[Line]) -> bool:
    """Whether the nearest party heading above a segment, in its column, is the seller's."""
    best, best_gap = None, math.inf
    for line in lines:
        if line.page != segment.page or line.y0 > segment.y0 + 1:
            continue
        for candidate in line.segments:
            if abs(candidate.x0 - segment.x0) > 40 and not (candidate.x0 <= segment.x0 <= candidate.x1):
                continue
            heading = plain(candidate.text)
            if PARTY_HEADING.match(heading):
                gap = segment.y0 - candidate.y0
                if gap < best_gap and gap < 140:
                    best, best_gap = heading, gap
    return best is not None and bool(SELLER_HEADING.match(best))


def _value_after(text: str, start: int) -> str:
    return text[start:].strip().lstrip(":#").strip()


def _below(segment: Segment, lines: list[Line], index: int) -> Segment | None:
    for line in lines[index + 1 : index + 3]:
        if line.page != segment.page or line.y0 - segment.y1 > 2.2 * max(line.height, 1):
            return None
        for candidate in line.segments:
            if min(candidate.x1, segment.x1) - max(candidate.x0, segment.x0) > 0:
                return candidate
    return None


def _right_of(segment: Segment, line: Line) -> Segment | None:
    following = [s for s in line.segments if s.x0 >= segment.x1 - 1 and s is not segment]
    return min(following, key=lambda s: s.x0) if following else None


def _address(
    label_segment: Segment, first: Segment | None, lines: list[Line], index: int
) -> tuple[str, list]:
    parts, words = [], []
    anchor = label_segment
    if first is not None:
        parts.append(first.text)
        words += first.words
        anchor = first
    last = anchor
    for line in lines[index + 1 : index + 8]:
        if line.page != anchor.page or line.y0 - last.y1 > 1.2 * max(line.height, 1):
            break
        found = None
        for candidate in line.segments:
            if abs(candidate.x0 - anchor.x0) < 12:
                found = candidate
                break
        if found is None:
            break
        folded = plain(found.text)
        if label_matches(found.text) or PARTY_HEADING.match(folded):
            break
        parts.append(found.text)
        words += found.words
        last = found
        if len(parts) >= 5:
            break
    return ", ".join(p.strip(" ,") for p in parts if p.strip(" ,")), words


def _header(lines: list[Line], doc: ExtractedDocument) -> None:
    table_started = False
    for index, line in enumerate(lines):
        if is_header(header_columns(line)):
            table_started = True
            continue
        for segment in line.segments:
            text = segment.text
            matches = label_matches(text)
            if not matches:
                continue
            offsets = _folded_offsets(text)
            for number, (name, _start, end) in enumerate(matches):
                if name in doc.fields:
                    continue
                stop = matches[number + 1][1] if number + 1 < len(matches) else len(offsets) - 1
                inline = text.strip()[offsets[end] : offsets[stop]] if end < len(offsets) else ""
                inline = _value_after(inline, 0)
                if name == "delivery_address":
                    if table_started:
                        continue
                    first = None
                    if inline:
                        first = Segment(segment.words)  # label and value in one run
                        value, words = _address(segment, None, lines, index)
                        value = ", ".join(p for p in (inline, value) if p)
                    else:
                        right = _right_of(segment, line)
                        if right is not None and not label_matches(right.text):
                            first = right
                        value, words = _address(segment, first, lines, index)
                    if value:
                        doc.put(
                            name, value, source(words or segment.words), _conf(Decimal("0.9"), segment.words)
                        )
                    continue
                candidates = []
                if inline:
                    candidates.append((inline, segment.words))
                elif number + 1 == len(matches):
                    right = _right_of(segment, line)
                    if right is not None:
                        candidates.append((right.text, right.words))
                    below = _below(segment, lines, index)
                    if below is not None:
                        candidates.append((below.text, below.words))
                for value_text, words in candidates:
                    checked = VALIDATORS[name](value_text)
                    if checked is None:
                        continue
                    value, ok = checked
                    target = name
                    if name.startswith("buyer_") and _zone_is_seller(segment, lines):
                        target = name.replace("buyer_", "seller_")
                    confidence = (
                        (CHECKED_CONFIDENCE if name.startswith("buyer_") else LABEL_CONFIDENCE)
                        if ok
                        else DOUBTFUL
                    )
                    doc.put(target, value, source(words), _conf(confidence, words))
                    if target == "buyer_siret" and luhn(value[:9]):
                        # The SIREN inside a SIRET whose own key fails (La Poste's) is still the company's.
                        doc.put("buyer_siren", value[:9], source(words), _conf(CHECKED_CONFIDENCE, words))
                    # « Commande n° BC-12 du 03/12/2026 »: the date after the number is the order's.
                    if name == "po_number":
                        rest = value_text.split(value, 1)[-1]
                        found = find_date(rest)
                        if found and re.search(r"\b(du|of|dated?)\s*$", plain(rest[: found[1] + 1]) + " "):
                            doc.put(
                                "po_date", found[0].isoformat(), source(words), _conf(Decimal("0.9"), words)
                            )
                        elif found:
                            doc.put(
                                "po_date", found[0].isoformat(), source(words), _conf(Decimal("0.85"), words)
                            )
                    break


def extract(pages: list[Page], fmt: str) -> ExtractedDocument:
    """The order read from the words of its pages."""
    doc = ExtractedDocument(kind=ORDER, format=fmt)
    lines = [line for page in pages for line in lines_of(page)]
    if not lines:
        return doc
    habit = decimal_habit(w.text for page in pages for w in page.words)
    # Amounts split over two words by a thousands space (« 1 234,50 ») are one number; joined here when
    # the words are close (a thin space, not a column gap).
    _header(lines, doc)
    _table(lines, doc, habit)
    return doc
