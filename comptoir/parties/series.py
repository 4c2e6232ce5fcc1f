"""The numbered series of documents and their prefixes (`DEV-2026-00012`): which exist, their default
prefix, and which prefixes are allowed. Pure: no Django.

The counter of a series is named by its prefix (`core.NumberSequence.series`), so a prefix can change
only while its series has taken no number: afterwards a new prefix would start a second series beside
the first, and a gap-free legal series (invoices, credit notes) or an internal one people refer to
(quotes, orders, delivery notes) must stay one. Two series never share a prefix (they would share a
counter), and the accounting journals' codes are kept for the journals, whose entries are numbered
from counters of the same name.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    field: str  # parties.Company field holding the prefix
    default: str
    label: str  # French, plural, lower case: « les devis »
    plan_key: str  # key under [numerotation] in a set-up plan


SERIES = (
    Series("invoice_series", "FA", "factures", "prefixe_factures"),
    Series("credit_note_series", "AV", "avoirs", "prefixe_avoirs"),
    Series("quote_series", "DEV", "devis", "prefixe_devis"),
    Series("order_series", "CMD", "commandes", "prefixe_commandes"),
    Series("delivery_series", "BL", "bons de livraison", "prefixe_livraisons"),
    Series("receipt_series", "REC", "réceptions de marchandises", "prefixe_receptions"),
    Series("return_series", "RET", "dossiers de retour", "prefixe_retours"),
    Series("return_receipt_series", "RR", "réceptions de retours", "prefixe_receptions_retours"),
    Series("payment_series", "REG", "règlements", "prefixe_reglements"),
    Series("refund_series", "RBT", "remboursements", "prefixe_remboursements"),
)
BY_FIELD = {series.field: series for series in SERIES}
DEFAULTS = {series.field: series.default for series in SERIES}
# Series whose documents carry no legal number and post no entry (see parties.services._books_started).
COMMERCIAL = (
    "quote_series",
    "order_series",
    "delivery_series",
    "receipt_series",
    "return_series",
    "return_receipt_series",
)
# The accounting journals (accounting.chart.JOURNALS and the closing's CL) and the lettering counters.
RESERVED = frozenset({"VE", "AC", "BQ", "OD", "AN", "CL", "CA", "LT"})
PATTERN = re.compile(r"[A-Z][A-Z0-9]{0,5}")


def valid(prefix: str) -> bool:
    """One to six capital letters or digits, starting with a letter (the number stays within BR-FR-01's
    35 characters of A-Z 0-9 - and is read back by its last dash)."""
    return bool(PATTERN.fullmatch(prefix or ""))


def clashes(prefixes: dict[str, str]) -> list[tuple[str, str, str]]:
    """(field, other field or "", prefix) for each prefix used twice or reserved for a journal."""
    found = []
    seen: dict[str, str] = {}
    for series in SERIES:
        prefix = prefixes.get(series.field, series.default)
        if prefix in RESERVED or prefix.startswith("LT") and prefix[2:].isdigit():
            found.append((series.field, "", prefix))
        elif prefix in seen:
            found.append((series.field, seen[prefix], prefix))
        else:
            seen[prefix] = series.field
    return found
