#!/usr/bin/env python
"""FEC export benchmark: how fast, and in how much memory, Comptoir writes the FEC of a big year.

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database dropped afterwards),
fills one fiscal year with N entry lines, then times `export_fec` in a child process, whose peak
memory is the one reported (the parent's includes the insert phase). Checks the file with
`check_fec` and prints one JSON line. Target: 1,000,000 lines in under 15 s and 200 MB.

    python bench/fec.py --lines 1000000
    python bench/fec.py --lines 1000000 --database-url postgres://postgres@127.0.0.1:5432/postgres

The books are written with `bulk_create`, not through `post_entry`: this measures the export, not
posting (bench/o2c.py measures posting). They look like real ones: the year's opening entry (journal
AN, one 411 line per customer, posted last as a closing done months into the year is, so the export
must bring it first), sales entries of 3 or 4 lines
(411 customer debit, 707 goods and sometimes 706 services credits, 44571 VAT) and bank entries of 3 or
4 lines (512 debit, one 411 credit per invoice paid), every day of the year, numbered without gaps
per journal, the customer lines carrying their customer, and most paid invoices lettered.
"""

import argparse
import contextlib
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N_CUSTOMERS = 2000
BATCH_LINES = 5000
CENT = Decimal("0.01")


@contextlib.contextmanager
def fresh_database(url: str | None):
    """Yield (DATABASE_URL, backend) of a new, empty database; remove it afterwards."""
    if not url:
        with tempfile.TemporaryDirectory(prefix="comptoir-bench-fec-") as folder:
            yield f"sqlite:///{folder}/fec.sqlite3", "sqlite"
        return
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--database-url: give a PostgreSQL server URL; SQLite always uses a temporary file.")
    import psycopg

    name = f"comptoir_bench_fec_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), "postgresql"
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str, *, migrate: bool) -> None:
    # settings.py reads DATABASE_URL when Django starts: it must be set before django.setup().
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


# --- The books (not timed) --------------------------------------------------------------------


class Books:
    """Writes a year of sales and bank entries in batches of `bulk_create`, ids assigned here."""

    def __init__(self, year: int, target_lines: int, seed: int = 2026, opening_lines: int = 0):
        from comptoir.accounting.models import Account, Journal

        self.year = year
        self.target = target_lines
        self.rng = random.Random(seed)
        self.account = dict(Account.objects.values_list("code", "pk"))
        self.journal = dict(Journal.objects.values_list("code", "pk"))
        self.customers: list[tuple[int, str]] = []
        self.entries, self.lines, self.reconciliations, self.matched = [], [], [], []
        self.entry_id = self.line_id = self.reconciliation_id = 0
        self.written = 0
        self.counters = {"VE": 0, "BQ": 0, "AN": 0}
        self.opening_lines = opening_lines
        # Per customer: invoices not paid yet, as (number, 411 line id, total).
        self.unpaid: dict[int, deque] = {}

    def create_customers(self) -> None:
        from comptoir.parties.models import Customer

        Customer.objects.bulk_create(
            [
                Customer(code=f"C{i:05d}", name=f"Client {i:05d} SARL", city="Lyon")
                for i in range(1, N_CUSTOMERS + 1)
            ]
        )
        self.customers = list(Customer.objects.order_by("pk").values_list("pk", "name"))
        self.unpaid = {pk: deque() for pk, _ in self.customers}

    def run(self) -> int:
        first = datetime.date(self.year, 1, 1)
        days = (datetime.date(self.year, 12, 31) - first).days + 1
        expected_entries = self.target / 3.3
        k = 0
        trading = self.target - self.opening_lines
        while self.written + len(self.lines) < trading:
            date = first + datetime.timedelta(days=min(days - 1, int(k * days / expected_entries)))
            remaining = trading - self.written - len(self.lines)
            self.add_entry(date, remaining)
            k += 1
            if len(self.lines) >= BATCH_LINES:
                self.flush()
        self.flush()
        if self.opening_lines >= 2:
            self.opening(first)
        self.save_counters()
        return self.written

    def opening(self, first: datetime.date) -> None:
        """The à-nouveaux: one 411 line per customer (an invoice left unpaid last year), the other side
        summed on 101; written after the year's trade, so its entry id is the highest."""
        entry = self._entry("AN", first, f"À-nouveaux de l'exercice {self.year}", f"AN-{self.year}")
        total = Decimal(0)
        for i in range(self.opening_lines - 1):
            customer, name = self.customers[i % len(self.customers)]
            amount = Decimal(self.rng.randrange(1_000, 500_000)) * CENT
            total += amount
            self._line(entry, "411", f"Report {name}", debit=amount, partner=customer)
        self._line(entry, "101", "Report des capitaux", credit=total)
        self.flush()

    def add_entry(self, date: datetime.date, remaining: int) -> None:
        customer, name = self.customers[self.rng.randrange(len(self.customers))]
        unpaid = self.unpaid[customer]
        size = remaining if remaining <= 4 else (3 if remaining == 5 else None)
        if len(unpaid) >= 3 and self.rng.random() < 0.6 and (size is None or size >= 2):
            self.payment(date, customer, name, unpaid, size)
        else:
            self.invoice(date, customer, name, size)

    def _entry(self, journal: str, date: datetime.date, label: str, document: str) -> int:
        from comptoir.accounting.models import JournalEntry

        self.counters[journal] += 1
        self.entry_id += 1
        number = f"{journal}-{self.year}-{self.counters[journal]:05d}"
        posted = datetime.datetime.combine(date, datetime.time(16, 30), tzinfo=datetime.UTC)
        self.entries.append(
            JournalEntry(
                pk=self.entry_id,
                journal_id=self.journal[journal],
                number=number,
                date=date,
                label=label,
                document_number=document,
                document_date=date,
                posted_at=posted,
            )
        )
        return self.entry_id

    def _line(
        self, entry: int, account: str, label: str, debit=None, credit=None, partner=None, rate=None
    ) -> int:
        from comptoir.accounting.models import EntryLine

        self.line_id += 1
        self.lines.append(
            EntryLine(
                pk=self.line_id,
                entry_id=entry,
                account_id=self.account[account],
                partner_id=partner,
                label=label,
                debit=debit or Decimal("0.00"),
                credit=credit or Decimal("0.00"),
                vat_rate=rate,
            )
        )
        return self.line_id

    def invoice(self, date, customer, name, size) -> None:
        rate = Decimal("20.00")
        goods = Decimal(self.rng.randrange(1_000, 500_000)) * CENT
        with_service = size == 4 or (size is None and self.rng.random() < 0.4)
        services = Decimal(self.rng.randrange(5_000, 200_000)) * CENT if with_service else Decimal(0)
        if size == 2:  # the last lines of the year: a sale without VAT (export)
            rate = Decimal("0.00")
        vat = ((goods + services) * rate / 100).quantize(CENT)
        total = goods + services + vat
        number = f"FA-{self.year}-{self.counters['VE'] + 1:06d}"
        label = f"{number} {name}"
        entry = self._entry("VE", date, f"Facture {number}", number)
        line = self._line(entry, "411", label, debit=total, partner=customer)
        self._line(entry, "707", label, credit=goods, rate=rate)
        if services:
            self._line(entry, "706", label, credit=services, rate=rate)
        if vat:
            self._line(entry, "44571", label, credit=vat, rate=rate)
        self.unpaid[customer].append((number, line, total))

    def payment(self, date, customer, name, unpaid, size) -> None:
        from comptoir.accounting.ledger import letter_code
        from comptoir.accounting.models import ReconciledLine, Reconciliation

        count = (size - 1) if size else (3 if self.rng.random() < 0.3 else 2)
        paid = [unpaid.popleft() for _ in range(count)]
        number = f"REG-{self.year}-{self.counters['BQ'] + 1:06d}"
        label = f"Règlement {number} {name}"
        entry = self._entry("BQ", date, label, number)
        self._line(entry, "512", label, debit=sum(total for _, _, total in paid))
        for invoice, invoice_line, total in paid:
            line = self._line(entry, "411", f"{label} — {invoice}", credit=total, partner=customer)
            if self.rng.random() < 0.9:  # the rest: matched later, or by hand
                self.reconciliation_id += 1
                self.reconciliations.append(
                    Reconciliation(
                        pk=self.reconciliation_id,
                        code=letter_code(self.reconciliation_id),
                        account_id=self.account["411"],
                        partner_id=customer,
                        date=date,
                    )
                )
                self.matched += [
                    ReconciledLine(reconciliation_id=self.reconciliation_id, line_id=invoice_line),
                    ReconciledLine(reconciliation_id=self.reconciliation_id, line_id=line),
                ]

    def flush(self) -> None:
        from django.db import transaction

        from comptoir.accounting.models import EntryLine, JournalEntry, ReconciledLine, Reconciliation
        from comptoir.core import guards

        # A bulk load below the services, as the tables' owner: the guard lifted for the batch (on
        # SQLite it lets a line into an entry other than the newest).
        with transaction.atomic(), guards.suspended():
            JournalEntry.objects.bulk_create(self.entries)
            EntryLine.objects.bulk_create(self.lines)
            Reconciliation.objects.bulk_create(self.reconciliations)
            ReconciledLine.objects.bulk_create(self.matched)
        self.written += len(self.lines)
        self.entries, self.lines, self.reconciliations, self.matched = [], [], [], []

    def save_counters(self) -> None:
        from comptoir.core.models import NumberSequence

        NumberSequence.objects.bulk_create(
            [
                NumberSequence(series=series, year=self.year, last_value=value)
                for series, value in self.counters.items()
            ]
        )


def fill(year: int, lines: int) -> int:
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_company, make_user

    make_company(make_user("admin", Role.ADMIN))
    books = Books(year, lines, opening_lines=min(N_CUSTOMERS + 1, lines // 10))
    books.create_customers()
    written = books.run()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return written


# --- The export, in a process of its own --------------------------------------------------------


def export_child(year: int, out: str) -> None:
    """Entry point of the child: time the export alone and report its own peak memory."""
    setup_django(os.environ["DATABASE_URL"], migrate=False)
    from comptoir.accounting.fec import write_fec

    start, cpu_start = time.perf_counter(), time.process_time()
    result = write_fec(year, out)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "path": str(result.path),
                "lines": result.lines,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def run_export(database_url: str, year: int, out: Path, profile: bool) -> dict:
    command = [sys.executable]
    if profile:
        command += [
            "-m",
            "pyinstrument",
            "-r",
            "html",
            "-o",
            str(Path(tempfile.gettempdir()) / "comptoir-profile-fec.html"),
        ]
    command += [str(Path(__file__).resolve()), "--export-child", "--year", str(year), "--out", str(out)]
    done = subprocess.run(
        command, env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"export failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="FEC export benchmark.")
    parser.add_argument("--lines", type=int, default=1_000_000, help="entry lines to export (1,000,000)")
    parser.add_argument("--year", type=int, default=2025, help="fiscal year of the books (2025)")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server URL: a fresh database is created there and dropped after "
        "(default: SQLite in a temporary folder)",
    )
    parser.add_argument("--profile", action="store_true", help="profile the export with pyinstrument")
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lines < 2:
        parser.error("--lines: at least 2 (an entry has two lines or more)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.export_child:
        export_child(args.year, args.out)
        return 0
    with fresh_database(args.database_url) as (url, backend), tempfile.TemporaryDirectory() as out:
        setup_django(url, migrate=True)
        written = fill(args.year, args.lines)
        from django.db import connections

        connections.close_all()
        export = run_export(url, args.year, Path(out), args.profile)
        path = Path(export["path"])
        from comptoir.accounting.fec_check import check_fec

        violations = check_fec(path)
        for violation in violations[:20]:
            print(violation, file=sys.stderr)
        file_mb = path.stat().st_size / 1024 / 1024
        with open(path, encoding="utf-8") as fec:
            next(fec)
            opening_first = next(fec, "").startswith("AN\t")
    if export["lines"] != written:
        print(f"exported {export['lines']} lines, {written} written", file=sys.stderr)
    result = {
        "system": "comptoir",
        "benchmark": "fec",
        "backend": backend,
        "lines": export["lines"],
        "seconds": round(export["seconds"], 3),
        "lines_per_second": round(export["lines"] / export["seconds"]),
        # CPU time of the export process (its own and the SQLite engine's, not PostgreSQL's server):
        # beside `seconds`, it shows how much of the wall time went to waiting on a busy machine.
        "cpu_seconds": round(export["cpu_seconds"], 3),
        "peak_memory_mb": round(export["peak_memory_mb"], 1),
        "file_mb": round(file_mb, 1),
        "check_violations": len(violations),
        # The opening entries (journal AN), written last, come first in the file (A47 A-1).
        "opening_first": opening_first,
    }
    print(json.dumps(result))
    return 0 if not violations and export["lines"] == written else 1


if __name__ == "__main__":
    sys.exit(main())
