#!/usr/bin/env python
"""Documents out as PDF (issue 19, « Measured »): how fast invoices and quotes are rendered.

Renders N invoices as Factur-X PDF/A-3 (the readable PDF with its CII XML embedded: what an invoice
e-mail carries) and N quotes as PDF, each a different document (its own number), from the pure
renderers (`einvoice.facturx.make_facturx`, `einvoice.commercial_pdf.render_commercial_pdf`): no
database, so the figure is the rendering alone. The target: 1,000 invoice PDFs in under 30 s.

Prints one JSON line: `invoices`, `pdfs_per_second` (invoices), `seconds_invoices`, `quotes`,
`quote_pdfs_per_second`, `seconds_quotes`, `mean_invoice_kb`, `peak_memory_mb`.

    python bench/pdfs.py            # N = 1000
    python bench/pdfs.py -n 200
"""

import argparse
import json
import resource
import sys
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from comptoir.einvoice.commercial_pdf import (  # noqa: E402
    CommercialDocument,
    Kind,
    PrintedLine,
    PrintedTax,
    render_commercial_pdf,
)
from comptoir.einvoice.facturx import make_facturx  # noqa: E402
from comptoir.einvoice.tests import factories  # noqa: E402


def quote(number: int) -> CommercialDocument:
    lines = tuple(
        PrintedLine(
            name=f"Perceuse à percussion modèle {i}",
            sku=f"REF-{i:03d}",
            quantity=Decimal(i),
            unit="pièce",
            unit_price=Decimal("120.00"),
            vat_rate=Decimal("20.00"),
            net_amount=Decimal("120.00") * i,
        )
        for i in range(1, 9)
    )
    base = sum(line.net_amount for line in lines)
    vat = (base * Decimal("0.2")).quantize(Decimal("0.01"))
    return CommercialDocument(
        kind=Kind.QUOTE,
        number=f"DEV-2026-{number:05d}",
        date=date(2026, 3, 2),
        seller=factories.SELLER,
        seller_legal=factories.SELLER_LEGAL,
        buyer=factories.BUYER_FR,
        lines=lines,
        taxes=(PrintedTax(Decimal("20.00"), "S", base, vat),),
        total_untaxed=base,
        total_vat=vat,
        total=base + vat,
        payment_terms="Paiement à 30 jours date de facture",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="documents of each kind (default 1000)")
    n = parser.parse_args().n

    template = factories.multi_rate()
    make_facturx(template, factories.SELLER_LEGAL)  # fonts loaded and registered once, outside the timing
    started = time.perf_counter()
    size = 0
    for i in range(1, n + 1):
        size += len(make_facturx(replace(template, number=f"FA-2026-{i:05d}"), factories.SELLER_LEGAL))
    seconds_invoices = time.perf_counter() - started

    started = time.perf_counter()
    for i in range(1, n + 1):
        render_commercial_pdf(quote(i))
    seconds_quotes = time.perf_counter() - started

    print(
        json.dumps(
            {
                "invoices": n,
                "pdfs_per_second": round(n / seconds_invoices, 1),
                "seconds_invoices": round(seconds_invoices, 2),
                "quotes": n,
                "quote_pdfs_per_second": round(n / seconds_quotes, 1),
                "seconds_quotes": round(seconds_quotes, 2),
                "mean_invoice_kb": round(size / n / 1024, 1),
                "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
