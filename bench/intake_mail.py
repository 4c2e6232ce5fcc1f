#!/usr/bin/env python
"""Mailbox and archive benchmark (#21 points 1c and 7): messages read from a real IMAP server (dovecot,
started as in the tests) and turned into documents per second, then the archive's full-text search and
`verify-archive` over what they left. One JSON line.

    python bench/intake_mail.py [-n 100] [--database-url postgres://…]
"""

import argparse
import json
import statistics
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from o2c import fresh_database, setup_django  # noqa: E402


def message(i: int, order: bytes) -> bytes:
    mail = EmailMessage()
    mail["From"] = "achats@brasserie-du-port.fr"
    mail["Subject"] = f"Commande PO-B-{i}"
    mail["Message-ID"] = f"<bench-{i}@brasserie.example>"
    mail.set_content("Bonjour,\nci-joint notre commande.\n")
    po = order.replace(b"PO-2026-0412", f"PO-B-{i}".encode())
    mail.add_attachment(po, maintype="application", subtype="xml", filename=f"PO-B-{i}.xml")
    return mail.as_bytes()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100, help="messages")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    with fresh_database(args.database_url) as (url, backend):
        setup_django(url)
        from django.conf import settings

        from comptoir.archive import integrity, selectors
        from comptoir.core.permissions import Role
        from comptoir.core.testing import make_company, make_customer, make_product, make_user
        from comptoir.intake import mailbox
        from comptoir.intake.models import InboundDocument
        from comptoir.intake.tests.imap import Dovecot

        admin = make_user("admin", Role.ADMIN)
        make_company(admin)
        boss = make_user("direction", Role.DIRECTION)
        make_customer(boss, name="Brasserie du Port SAS", siren="552032534", vat_number="FR27552032534")
        make_product(
            boss, sku="VIS-M6-50", name="Vis inox M6x50 boîte de 100", ean="3012345678902", sale_price="12.50"
        )
        make_product(boss, sku="PERC-18V", name="Perceuse sans fil 18 V", sale_price="149.00")
        order = (ROOT / "comptoir/intake/tests/fixtures/order-x.xml").read_bytes()
        server = Dovecot()
        try:
            account = server.new_account()
            settings.COMPTOIR_INTAKE_IMAP = server.config(account)
            for i in range(args.n):
                server.deliver(account, message(i, order))
            start = time.perf_counter()
            report = mailbox.fetch_mail()
            fetch_seconds = time.perf_counter() - start
        finally:
            server.stop()
        timings = []
        for word in ("perceuse", "brasserie", "PO-B-7", "inox sans fil", "boite", "commande") * 5:
            start = time.perf_counter()
            list(selectors.search(word)[:25])
            timings.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        verified = integrity.verify()
        verify_seconds = time.perf_counter() - start
        out = {
            "system": "comptoir",
            "benchmark": "intake_mail",
            "backend": backend,
            "messages": args.n,
            "messages_read": report.read,
            "documents": InboundDocument.objects.count(),
            "failed": report.failed,
            "messages_per_s": round(report.read / fetch_seconds, 1),
            "archived_files": verified.files,
            "search_p50_ms": round(statistics.median(timings), 1),
            "search_p95_ms": round(sorted(timings)[int(len(timings) * 0.95) - 1], 1),
            "verify_archive_s": round(verify_seconds, 2),
            "verify_ok": verified.ok,
        }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
