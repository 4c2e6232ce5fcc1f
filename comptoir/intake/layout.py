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

The words and their grouping are in `words`, the values read by kind in `values`, the lines table in
`table`; this module finds the header fields and puts the order together (`extract`).
"""

import math
import re
import unicodedata
from decimal import Decimal

from comptoir.intake.extraction import ORDER, ExtractedDocument
from comptoir.intake.table import _table, header_columns, is_header
from comptoir.intake.values import VALIDATORS, decimal_habit, find_date, luhn, parse_number
from comptoir.intake.words import (
    CHECKED_CONFIDENCE,
    DOUBTFUL,
    LABEL_CONFIDENCE,
    Line,
    Page,
    Segment,
    Word,
    _conf,
    lines_of,
    plain,
    source,
)

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


# What the parsers, the OCR and the corpus read from here.
__all__ = ["Page", "Word", "extract", "find_date", "parse_number", "plain"]
