#!/usr/bin/env python
"""Intake benchmark, structured half (#21): field precision and recall of the structured parsers against
labelled files, and matching top-1 on the labelled lines. No database: the parsers and the matching are
pure.

Corpus: the hand-written order fixtures of comptoir/intake/tests/fixtures (Order-X, UBL Order, EDIFACT
ORDERS D96A, CSV order form; their truth written below from the documents themselves) and the twelve
invoices of the e-invoice test factories, each as CII, UBL and Factur-X PDF (truth from the Invoice
objects: number, each line's quantity, net price and name). Precision counts the fields the parser filled
that are right; recall the labelled fields it filled right. The keys of the unstructured half (PDF text,
scans, held-out layouts) are printed as null until that half exists.

    python bench/intake.py
"""

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "comptoir" / "intake" / "tests" / "fixtures"

# Truth of the order fixtures: header fields, then per line (quantity, unit price or None, our SKU).
ORDERS = {
    "order-x.xml": (
        {
            "po_number": "PO-2026-0412",
            "po_date": "2026-12-01",
            "requested_date": "2026-12-15",
            "buyer_siren": "552032534",
            "buyer_vat": "FR27552032534",
        },
        [("10", "12.50", "VIS-M6-50"), ("2", "149.00", "PERC-18V")],
    ),
    "ubl-order.xml": (
        {
            "po_number": "UBL-7781",
            "po_date": "2026-12-02",
            "requested_date": "2026-12-16",
            "buyer_siret": "55203253400017",
            "buyer_vat": "FR27552032534",
        },
        [("4", "31.25", "CLE-DYN"), ("1", "149.00", "PERC-18V")],
    ),
    "orders-d96a.edi": (
        {
            "po_number": "EDI-55120",
            "po_date": "2026-12-03",
            "requested_date": "2026-12-17",
            "buyer_gln": "3012345000010",
            "buyer_vat": "FR27552032534",
        },
        [("24", "12.5", "VIS-M6-50"), ("50", None, "GANT-T9")],
    ),
    "order-form.csv": (
        {"po_number": "BC-9001", "po_date": "2026-12-02", "buyer_siret": "55203253400017"},
        [("12", "12.50", "VIS-M6-50"), ("40", "3.20", "GANT-T9"), ("1", "149.00", "PERC-18V")],
    ),
}
CATALOGUE = [
    ("VIS-M6-50", "Vis inox M6x50 boîte de 100", "3012345678902"),
    ("PERC-18V", "Perceuse sans fil 18 V", ""),
    ("GANT-T9", "Gants de protection cuir T9", "3760000000024"),
    ("CLE-DYN", "Clé dynamométrique 1/2", "3760000000017"),
]
# What a person taught on a first order from this customer (the reference table).
REFERENCES = {"BP-GANT": 2}  # index of GANT-T9 in CATALOGUE


def same(found: str, expected: str) -> bool:
    try:
        return Decimal(found) == Decimal(expected)
    except Exception:
        return found == expected


def score(doc, header: dict, lines: list) -> tuple[int, int, int]:
    """(filled, right, labelled)."""
    filled = right = labelled = 0
    for name, expected in header.items():
        labelled += 1
        if doc.value(name):
            filled += 1
            right += same(doc.value(name), expected)
    for index, (quantity, price, _sku) in enumerate(lines):
        line = doc.lines[index] if index < len(doc.lines) else None
        for name, expected in (("quantity", quantity), ("unit_price", price)):
            if expected is None:
                continue
            labelled += 1
            if line is not None and line.value(name):
                filled += 1
                right += same(line.value(name), expected)
    filled += max(0, len(doc.lines) - len(lines))  # a line read that is not there counts as wrong
    return filled, right, labelled


def main() -> None:
    from comptoir.einvoice.cii import to_cii
    from comptoir.einvoice.facturx import make_facturx
    from comptoir.einvoice.tests.factories import ALL_CASES, SELLER_LEGAL
    from comptoir.einvoice.ubl import to_ubl
    from comptoir.intake import matching, parsers

    corpus = [((FIXTURES / name).read_bytes(), name) for name in ORDERS]
    for build in ALL_CASES.values():
        invoice = build()
        corpus += [
            (content, invoice)
            for content in (to_cii(invoice), to_ubl(invoice), make_facturx(invoice, SELLER_LEGAL))
        ]
    started = time.perf_counter()
    read = [parsers.parse(content) for content, _truth in corpus]
    seconds = time.perf_counter() - started
    documents = len(corpus)
    results = iter(read)

    per_format: dict[str, list[int]] = {}
    parsed_orders = {}
    for name, (header, lines) in ORDERS.items():
        fmt, doc = next(results)
        parsed_orders[name] = doc
        totals = per_format.setdefault(fmt, [0, 0, 0])
        for i, value in enumerate(score(doc, header, lines)):
            totals[i] += value
    for _content, invoice in corpus[len(ORDERS) :]:
        truth = [(str(line.quantity), str(line.net_price), "") for line in invoice.lines]
        fmt, doc = next(results)
        totals = per_format.setdefault(fmt, [0, 0, 0])
        for i, value in enumerate(score(doc, {"po_number": invoice.number}, truth)):
            totals[i] += value

    catalogue = matching.Catalogue(
        [matching.ProductCandidate(i, sku, name, ean) for i, (sku, name, ean) in enumerate(CATALOGUE)]
    )
    ids = {sku: i for i, (sku, _name, _ean) in enumerate(CATALOGUE)}
    matched = asked = 0
    for name, (_header, lines) in ORDERS.items():
        for line, (_q, _p, sku) in zip(parsed_orders[name].lines, lines, strict=False):
            values = {key: f.value for key, f in line.fields.items()}
            asked += 1
            matched += matching.match_product(values, catalogue, REFERENCES).id == ids[sku]

    filled = sum(t[0] for t in per_format.values())
    right = sum(t[1] for t in per_format.values())
    labelled = sum(t[2] for t in per_format.values())
    print(
        json.dumps(
            {
                "structured_precision": round(right / filled, 4) if filled else None,
                "structured_recall": round(right / labelled, 4) if labelled else None,
                "per_format": {
                    fmt: {
                        "precision": round(r / f, 4) if f else None,
                        "recall": round(r / n, 4) if n else None,
                    }
                    for fmt, (f, r, n) in sorted(per_format.items())
                },
                "structured_documents": documents,
                "structured_documents_per_s": round(documents / seconds, 1),
                "matching_top1": round(matched / asked, 4) if asked else None,
                "matching_lines": asked,
                "digital_precision": None,
                "digital_recall": None,
                "scan_precision": None,
                "scan_recall": None,
                "digital_pages_per_s": None,
                "scan_pages_per_s": None,
                "heldout_layouts": 0,
            }
        )
    )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    main()
