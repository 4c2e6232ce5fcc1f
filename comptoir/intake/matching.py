"""Matching what a document names against what Comptoir knows. Pure functions over plain candidates (no
Django), so the order of the rules and the scores are tested without a database.

Customer: by identifier first (SIRET, then SIREN, then VAT number, then GLN: each states who the buyer
is), then by name with rapidfuzz (token-set ratio, accents and legal forms ignored), accepted at 90 and
above and only when no other customer comes within 5 points.

Product: our reference (SKU), then the EAN, then the customer's own reference in the table every human
correction fills, then the description against the catalogue (rapidfuzz, the top 3 with their scores;
the first is proposed only from 85 up, below that the line waits for a person).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

NAME_THRESHOLD = 90
NAME_MARGIN = 5
DESCRIPTION_THRESHOLD = 85
TOP = 3

BY_SIRET, BY_SIREN, BY_VAT, BY_GLN, BY_NAME = "siret", "siren", "vat", "gln", "name"
BY_CODE, BY_EAN, BY_REFERENCE, BY_DESCRIPTION = "code", "ean", "reference", "description"

_LEGAL_FORMS = re.compile(
    r"\b(sas|sasu|sarl|eurl|sa|snc|sci|scop|gmbh|ltd|inc|s\.a\.s\.?|s\.a\.r\.l\.?)\b", re.I
)


def plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", text)).strip()


def company_name(text: str) -> str:
    return plain(_LEGAL_FORMS.sub(" ", text or ""))


def identifier(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text or "").upper()


@dataclass(frozen=True)
class CustomerCandidate:
    id: int
    name: str
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    gln: str = ""


@dataclass(frozen=True)
class CustomerMatch:
    id: int | None
    method: str = ""
    score: int = 0


def match_customer(fields: dict[str, str], customers: list[CustomerCandidate]) -> CustomerMatch:
    siret, siren = identifier(fields.get("buyer_siret", "")), identifier(fields.get("buyer_siren", ""))
    vat, gln = identifier(fields.get("buyer_vat", "")), identifier(fields.get("buyer_gln", ""))
    if siret and not siren:
        siren = siret[:9]
    rules = (
        (BY_SIRET, siret, lambda c: identifier(c.siret)),
        (BY_SIREN, siren, lambda c: identifier(c.siren)),
        (BY_VAT, vat, lambda c: identifier(c.vat_number)),
        (BY_GLN, gln, lambda c: identifier(c.gln)),
    )
    for method, wanted, key in rules:
        if not wanted:
            continue
        found = [c for c in customers if key(c) == wanted]
        if len(found) == 1:
            return CustomerMatch(found[0].id, method, 100)
    name = company_name(fields.get("buyer_name", ""))
    if name:
        choices = {c.id: company_name(c.name) for c in customers}
        best = process.extract(name, choices, scorer=fuzz.token_set_ratio, limit=2)
        if best and best[0][1] >= NAME_THRESHOLD:
            if len(best) == 1 or best[0][1] - best[1][1] >= NAME_MARGIN:
                return CustomerMatch(best[0][2], BY_NAME, round(best[0][1]))
    return CustomerMatch(None)


@dataclass(frozen=True)
class ProductCandidate:
    id: int
    sku: str
    name: str
    ean: str = ""


@dataclass
class ProductMatch:
    id: int | None
    method: str = ""
    score: int = 0
    candidates: list[tuple[int, int]] = field(default_factory=list)  # (product id, score), best first


class Catalogue:
    """The products to match against, indexed once per document."""

    def __init__(self, products: list[ProductCandidate]):
        self.products = products
        self.by_sku = {identifier(p.sku): p for p in products}
        self.by_ean = {p.ean: p for p in products if p.ean}
        self.names = {p.id: plain(p.name) for p in products}

    def describe(self, text: str) -> list[tuple[int, int]]:
        wanted = plain(text)
        if not wanted or not self.names:
            return []
        found = process.extract(wanted, self.names, scorer=fuzz.token_sort_ratio, limit=TOP)
        return [(key, round(score)) for _choice, score, key in found]


def match_product(line: dict[str, str], catalogue: Catalogue, references: dict[str, int]) -> ProductMatch:
    """`references`: the customer's own references (as written, compared without spaces nor case) → product."""
    code = identifier(line.get("our_code", ""))
    if code and code in catalogue.by_sku:
        return ProductMatch(catalogue.by_sku[code].id, BY_CODE, 100)
    ean = re.sub(r"\D", "", line.get("ean", ""))
    if ean and ean in catalogue.by_ean:
        return ProductMatch(catalogue.by_ean[ean].id, BY_EAN, 100)
    reference = identifier(line.get("customer_reference", ""))
    if reference:
        mapped = {identifier(key): value for key, value in references.items()}
        if reference in mapped:
            return ProductMatch(mapped[reference], BY_REFERENCE, 100)
        # A customer who writes our own reference in their reference column.
        if reference in catalogue.by_sku:
            return ProductMatch(catalogue.by_sku[reference].id, BY_CODE, 100)
    candidates = catalogue.describe(line.get("description", ""))
    if candidates and candidates[0][1] >= DESCRIPTION_THRESHOLD:
        return ProductMatch(candidates[0][0], BY_DESCRIPTION, candidates[0][1], candidates)
    return ProductMatch(None, "", 0, candidates)
