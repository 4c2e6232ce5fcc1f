#!/usr/bin/env python
"""Import benchmark: a company's products and customers from XLSX, test run then real import.

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database dropped afterwards),
writes two workbooks in the Comptoir template (N products, M customers with a contact each; valid
French SIRENs, EANs and VAT rates), then, in a child process whose peak memory is the one reported,
runs `imports.services.run_import` on each: a test run (`dry_run`) of both files, then the real import of
both. Prints one JSON line (wall-clock seconds, and the CPU seconds of the importing process with the
machine's load average, since other work on a shared machine stretches the former). Target (issue 19): 100,000 products and 20,000 customers, each phase under
60 s and the whole under 500 MB.

    python bench/import.py --products 100000 --customers 20000
    python bench/import.py -n 2000 --database-url postgres://postgres@127.0.0.1:5432/postgres

`-n` sets products (and customers at a fifth of it).
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIRENS = ["732829320", "542107651", "552032534", "409251261", "383474814", "443061841", "652014051"]
RATES = ["20", "10", "5,5", "2,1"]


@contextlib.contextmanager
def fresh_database(url: str | None, folder: str):
    if not url:
        yield f"sqlite:///{folder}/import.sqlite3", "sqlite"
        return
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("--database-url: give a PostgreSQL server URL; SQLite always uses a temporary file.")
    import psycopg

    name = f"comptoir_bench_import_{os.getpid()}"
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}")), "postgresql"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings"
    import django

    django.setup()


def ean13(n: int) -> str:
    body = f"300{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def add_dimension(path: str, ref: str) -> None:
    """Write the sheet's <dimension> as Excel, LibreOffice, PhpSpreadsheet (Dolibarr) and xlsxwriter (Odoo)
    do: openpyxl's write-only mode leaves it out, and a reader in read-only mode then scans the whole
    sheet once to size it, a cost no real export makes it pay."""
    import shutil
    import zipfile

    temporary = path + ".tmp"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetPr>", f'</sheetPr><dimension ref="{ref}"/>'.encode(), 1)
            target.writestr(item, data)
    shutil.move(temporary, path)


def write_workbooks(folder: str, products: int, customers: int) -> tuple[str, str]:
    import openpyxl

    from comptoir.imports import presets

    def save(path, kind, rows):
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet()
        columns = [c.title for c in presets.COLUMNS[kind]]
        sheet.append(columns)
        count = 1
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(path)
        add_dimension(path, f"A1:{openpyxl.utils.get_column_letter(len(columns))}{count}")

    product_path = os.path.join(folder, "produits.xlsx")
    save(
        product_path,
        presets.PRODUCTS,
        (
            [
                f"REF-{i:06d}",
                f"Article {i}",
                ean13(i),
                "pièce",
                "",
                f"{10 + i % 500},{i % 100:02d}",
                "4,10",
                RATES[i % len(RATES)],
                "",
            ]
            for i in range(1, products + 1)
        ),
    )
    customer_path = os.path.join(folder, "clients.xlsx")
    save(
        customer_path,
        presets.CUSTOMERS,
        (
            [
                f"C-{i:06d}",
                f"Client {i} SARL",
                SIRENS[i % len(SIRENS)],
                "",
                "",
                f"{i} rue de la Paix",
                "",
                "75002",
                "Paris",
                "FR",
                f"compta{i}@client.fr",
                "01 40 00 00 00",
                30,
                "non",
                f"Contact {i}",
                "Achats",
                f"achats{i}@client.fr",
                "",
            ]
            for i in range(1, customers + 1)
        ),
    )
    return product_path, customer_path


def child(args) -> None:
    setup_django(args.database_url)
    from comptoir.core.permissions import Role
    from comptoir.core.testing import make_user
    from comptoir.imports.services import run_import

    by = make_user("bench", Role.DIRECTION)
    files = [("products", args.product_file), ("customers", args.customer_file)]
    contents = [(kind, path, Path(path).read_bytes()) for kind, path in files]
    result = {}
    for phase, dry_run in (("seconds_dry_run", True), ("seconds_import", False)):
        started, cpu = time.perf_counter(), time.process_time()
        for kind, path, content in contents:
            report = run_import(kind, content, file_name=os.path.basename(path), by=by, dry_run=dry_run)
            if report.counts["refused"]:
                raise SystemExit(f"{kind}: {report.refusals[:3]}")
            result.setdefault(f"{kind}_{phase.removeprefix('seconds_')}", report.counts["created"])
        result[phase] = round(time.perf_counter() - started, 2)
        result["cpu_" + phase] = round(time.process_time() - cpu, 2)
    result["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=None, help="products (customers: a fifth)")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--product-file", help=argparse.SUPPRESS)
    parser.add_argument("--customer-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.n:
        args.products, args.customers = args.n, max(1, args.n // 5)
    with tempfile.TemporaryDirectory(prefix="comptoir-bench-import-") as folder:
        with fresh_database(args.database_url, folder) as (url, backend):
            setup_django(url)
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            product_file, customer_file = write_workbooks(folder, args.products, args.customers)
            from django.db import connections

            connections.close_all()
            out = (
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        "--database-url",
                        url,
                        "--product-file",
                        product_file,
                        "--customer-file",
                        customer_file,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            measured = json.loads(out)
    print(
        json.dumps(
            {
                "backend": backend,
                "products": measured["products_import"],
                "customers": measured["customers_import"],
                "seconds_dry_run": measured["seconds_dry_run"],
                "seconds_import": measured["seconds_import"],
                "peak_memory_mb": measured["peak_memory_mb"],
                # The CPU time of this process: the wall-clock seconds above grow with other work on the machine.
                "cpu_seconds_dry_run": measured["cpu_seconds_dry_run"],
                "cpu_seconds_import": measured["cpu_seconds_import"],
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
