#!/usr/bin/env python
"""Intake benchmark, structured half (#21): field precision and recall of the structured parsers against
labelled files, and matching top-1 on the labelled lines. No database: the parsers and the matching are
pure.

Corpus: the hand-written order fixtures of comptoir/intake/tests/fixtures (Order-X, UBL Order, EDIFACT
ORDERS D96A, CSV order form; their truth written below from the documents themselves) and the twelve
invoices of the e-invoice test factories, each as CII, UBL and Factur-X PDF (truth from the Invoice
objects: number, each line's quantity, net price and name). Precision counts the fields the parser filled
that are right; recall the labelled fields it filled right.

Unstructured half: the labelled corpus of comptoir/intake/tests/corpus.py (drawn at run time, nothing
kept), `--per-layout` orders (25) in each of its layouts, read as PDFs with a text layer; then, for the
scans, `--scans` orders (2) per held-out layout turned into copier scans at 200 dpi (and one order per
held-out layout at 150 and 300 dpi, reported apart) and read by OCR. Only held-out layouts count in
`digital_*` and `scan_*`; the tuning layouts' figures are printed apart (`digital_tuning_*`). A field
the reader filled that is not in the truth (an extra line, a seller identifier taken for the buyer's)
counts as filled and wrong. `--quick`: 3 orders per layout, 4 scans at 200 dpi. `--scan-every N` / `--other-every N` scan only every Nth held-out layout (at 200 dpi / at
150 and 300 dpi): OCR takes seconds per page on this machine.

    python bench/intake.py [--quick] [--per-layout 25] [--scans 2] [--scan-every 1] [--other-every 1]
"""

import argparse
import json
import re
import resource
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


def main(args) -> None:
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

    unstructured_started = time.perf_counter()
    if args.quick:
        unstructured = globals()["unstructured"](3, 1, False, scan_every=4)
    else:
        unstructured = globals()["unstructured"](
            args.per_layout, args.scans, True, scan_every=args.scan_every, other_every=args.other_every
        )
    unstructured["unstructured_seconds"] = round(time.perf_counter() - unstructured_started)
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
                **unstructured,
            }
        )
    )


# --- Unstructured: PDFs with a text layer and scans --------------------------------------------------

HEADER_KEYS = (
    "po_number",
    "po_date",
    "requested_date",
    "buyer_siret",
    "buyer_siren",
    "buyer_vat",
    "buyer_gln",
)


def _comparable(name: str, value: str):
    if name in ("quantity", "unit_price"):
        try:
            return Decimal(value)
        except Exception:
            return value
    if name == "delivery_address":
        from comptoir.intake.layout import plain

        return re.sub(r"[^\w]+", " ", plain(value)).strip()
    return value


class Tally:
    """Filled, right and labelled fields, in all and per field."""

    def __init__(self):
        self.fields: dict[str, list[int]] = {}

    def add(self, name: str, filled: bool, right: bool, labelled: bool) -> None:
        counts = self.fields.setdefault(name, [0, 0, 0])
        counts[0] += filled
        counts[1] += right
        counts[2] += labelled

    def score(self, doc, truth: dict) -> None:
        header = truth["header"]
        for name, expected in header.items():
            got = doc.value(name)
            self.add(
                name, bool(got), bool(got) and _comparable(name, got) == _comparable(name, expected), True
            )
        for name in doc.fields:
            if name not in header and (name in HEADER_KEYS or name == "delivery_address"):
                self.add(name, True, False, False)
        for index, expected_line in enumerate(truth["lines"]):
            line = doc.lines[index] if index < len(doc.lines) else None
            for name, expected in expected_line.items():
                got = line.value(name) if line is not None else ""
                self.add(
                    "line." + name,
                    bool(got),
                    bool(got) and _comparable(name, got) == _comparable(name, expected),
                    True,
                )
            if line is not None:
                for name in line.fields:
                    if name not in expected_line:
                        self.add("line." + name, True, False, False)
        for line in doc.lines[len(truth["lines"]) :]:
            for name in line.fields:
                self.add("line." + name, True, False, False)

    def totals(self) -> tuple[int, int, int]:
        return tuple(sum(c[i] for c in self.fields.values()) for i in range(3))

    def precision(self):
        filled, right, _ = self.totals()
        return round(right / filled, 4) if filled else None

    def recall(self):
        _, right, labelled = self.totals()
        return round(right / labelled, 4) if labelled else None

    def per_field(self) -> dict:
        return {
            name: {
                "precision": round(r / f, 4) if f else None,
                "recall": round(r / n, 4) if n else None,
                "labelled": n,
            }
            for name, (f, r, n) in sorted(self.fields.items())
        }


def unstructured(
    per_layout: int, scans: int, other_dpi: bool, scan_every: int = 1, other_every: int = 1
) -> dict:
    from comptoir.intake import ocr
    from comptoir.intake.parsers import NeedsOcr, parse
    from comptoir.intake.tests import corpus

    heldout = {layout.name for layout in corpus.HELDOUT}
    digital, tuning = Tally(), Tally()
    per_layout_tally: dict[str, Tally] = {}
    pages = orders = 0
    seconds = 0.0
    for order in corpus.corpus(per_layout):
        started = time.perf_counter()
        fmt, doc = parse(order.pdf)
        seconds += time.perf_counter() - started
        pages += order.pages
        orders += 1
        (digital if order.layout.name in heldout else tuning).score(doc, order.truth)
        per_layout_tally.setdefault(order.layout.name, Tally()).score(doc, order.truth)

    result = {
        "digital_precision": digital.precision(),
        "digital_recall": digital.recall(),
        "digital_pages_per_s": round(pages / seconds, 1),
        "digital_orders": orders,
        "digital_pages": pages,
        "digital_tuning_precision": tuning.precision(),
        "digital_tuning_recall": tuning.recall(),
        "digital_per_field": digital.per_field(),
        "digital_per_layout": {
            name: {"precision": t.precision(), "recall": t.recall()} for name, t in per_layout_tally.items()
        },
        "heldout_layouts": len(corpus.HELDOUT),
        "tuning_layouts": len(corpus.TUNING),
    }

    ocr.engine()  # loaded once per worker process, not counted per page
    runs = [(200, index) for index in range(scans)]
    if other_dpi:
        runs += [(150, scans), (300, scans + 1)]
    by_dpi: dict[int, Tally] = {}
    scan_layout: dict[str, Tally] = {}
    scan_cpu = 0.0
    scan_pages: dict[int, int] = {}
    scan_seconds: dict[int, float] = {}
    layouts = corpus.HELDOUT[::scan_every]
    for dpi, index in runs:
        for layout in layouts if dpi == 200 else layouts[::other_every]:
            order = corpus.make_order(index, layout)
            scanned = corpus.scan(order.pdf, dpi=dpi, seed=index)
            started, cpu = time.perf_counter(), time.process_time()
            try:
                parse(scanned)
                raise AssertionError("a scan with a text layer")
            except NeedsOcr as needs:
                doc = ocr.read(scanned, needs.format)
            scan_seconds[dpi] = scan_seconds.get(dpi, 0.0) + time.perf_counter() - started
            if dpi == 200:
                scan_cpu += time.process_time() - cpu
                scan_layout.setdefault(layout.name, Tally()).score(doc, order.truth)
            scan_pages[dpi] = scan_pages.get(dpi, 0) + order.pages
            by_dpi.setdefault(dpi, Tally()).score(doc, order.truth)
    main_tally = by_dpi.get(200, Tally())
    result.update(
        {
            "scan_precision": main_tally.precision(),
            "scan_recall": main_tally.recall(),
            "scan_pages_per_s": round(scan_pages[200] / scan_seconds[200], 3)
            if scan_pages.get(200)
            else None,
            "scan_pages": scan_pages.get(200, 0),
            "scan_dpi": 200,
            "scan_cpu_seconds_per_page": round(scan_cpu / scan_pages[200], 2)
            if scan_pages.get(200)
            else None,
            "scan_per_field": main_tally.per_field(),
            "scan_per_layout": {
                name: {"precision": t.precision(), "recall": t.recall()} for name, t in scan_layout.items()
            },
            "scan_other_dpi": {
                str(dpi): {
                    "precision": tally.precision(),
                    "recall": tally.recall(),
                    "pages": scan_pages[dpi],
                    "pages_per_s": round(scan_pages[dpi] / scan_seconds[dpi], 3),
                }
                for dpi, tally in sorted(by_dpi.items())
                if dpi != 200
            },
            "ocr_worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "load_average": [round(x, 1) for x in __import__("os").getloadavg()],
        }
    )
    return result


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (3 orders per layout, few scans)")
    parser.add_argument("--per-layout", type=int, default=25, help="digital orders per layout")
    parser.add_argument("--scans", type=int, default=2, help="scanned orders per held-out layout at 200 dpi")
    parser.add_argument("--scan-every", type=int, default=1, help="scan every Nth held-out layout only")
    parser.add_argument("--other-every", type=int, default=1, help="150/300 dpi on every Nth of those only")
    main(parser.parse_args())
