"""What a parser hands back, whatever the format: an extracted document whose every field carries its value,
a confidence (0 to 1) and where it was read (an XPath, an EDIFACT segment, a sheet cell; later a PDF page
and box), so the review screen can say why it believes a value. No Django here.

Structured formats (Order-X, UBL, EDIFACT, Factur-X) state each value in a named element: confidence 1.
A spreadsheet's values sit under a header the parser recognised: a little less. OCR and PDF text (a later
session) will put their own scores here, and nothing downstream changes.
"""

from dataclasses import dataclass, field
from decimal import Decimal

ORDER = "order"
INVOICE = "invoice"

# Header fields, in the order the review screen lists them (lowest confidence first, then this order).
HEADER_FIELDS = (
    "po_number",
    "po_date",
    "requested_date",
    "buyer_name",
    "buyer_siren",
    "buyer_siret",
    "buyer_vat",
    "buyer_gln",
    "delivery_address",
    "currency",
    "seller_name",
    "seller_siren",
    "seller_vat",
    "total_untaxed",
    "total",
)
LINE_FIELDS = ("customer_reference", "our_code", "ean", "description", "quantity", "unit", "unit_price")


def _clean(value) -> str:
    # A NUL is refused by PostgreSQL in text and JSON: a hostile file must not make the insert fail.
    return ("" if value is None else str(value)).replace("\x00", "").strip()


@dataclass
class Field:
    value: str
    confidence: Decimal = Decimal("1")
    source: str = ""

    def as_dict(self) -> dict:
        return {"value": self.value, "confidence": str(self.confidence), "source": self.source}


@dataclass
class ExtractedLine:
    fields: dict[str, Field] = field(default_factory=dict)

    def value(self, name: str) -> str:
        found = self.fields.get(name)
        return found.value if found else ""

    def put(self, name: str, value, source: str, confidence: Decimal = Decimal("1")) -> None:
        text = _clean(value)
        if text:
            self.fields[name] = Field(text, confidence, source)


@dataclass
class ExtractedDocument:
    """An order (or an invoice) as read from a file, before anything is matched against the database."""

    kind: str  # ORDER or INVOICE
    format: str
    fields: dict[str, Field] = field(default_factory=dict)
    lines: list[ExtractedLine] = field(default_factory=list)

    def value(self, name: str) -> str:
        found = self.fields.get(name)
        return found.value if found else ""

    def put(self, name: str, value, source: str, confidence: Decimal = Decimal("1")) -> None:
        text = _clean(value)
        if text and name not in self.fields:
            self.fields[name] = Field(text, confidence, source)


class ParseError(Exception):
    """The file is of a known type but cannot be read: `code` names the reason (errors.py)."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}")
