"""Backups that restore: data made through the services, a backup taken while another connection keeps
writing, restored into a fresh database by `comptoir restore` (a new SQLite file, or a new PostgreSQL
database created here and dropped after), then `comptoir verify-audit` passes on it and the trial balance,
every invoice's total and every file are identical."""

import hashlib
import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections

from comptoir.accounting import selectors as ledger_view
from comptoir.billing.models import Invoice
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.testing import make_customer
from comptoir.payments.services import register_payment
from comptoir.sales.services import confirm_order, create_order
from comptoir.scheduling import backup
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery

FIGURES = """
import json
from comptoir.accounting import selectors
from comptoir.billing.models import Invoice
tb = selectors.trial_balance()
print(json.dumps({
    "balance": {row.code: [str(row.debit), str(row.credit)] for row in tb.rows},
    "totals": [str(tb.total_debit), str(tb.total_credit)],
    "invoices": {str(i.number or i.pk): str(i.total) for i in Invoice.objects.all()},
}))
"""


def figures() -> dict:
    tb = ledger_view.trial_balance()
    return {
        "balance": {row.code: [str(row.debit), str(row.credit)] for row in tb.rows},
        "totals": [str(tb.total_debit), str(tb.total_credit)],
        "invoices": {str(i.number or i.pk): str(i.total) for i in Invoice.objects.all()},
    }


def comptoir(env: dict, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from comptoir.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_database(tmp_path):
    """The DATABASE_URL of an empty database, apart from the test database."""
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    conninfo = dict(host=db["HOST"] or "", port=db["PORT"] or "", user=db["USER"] or "", dbname="postgres")
    with psycopg.connect(**conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sale(boss, customer, product, service_product):
    order = confirm_order(
        create_order(
            customer,
            [{"product": product, "quantity": "3"}, {"product": service_product, "quantity": "1"}],
            by=boss,
        ),
        by=boss,
    )
    delivery = create_delivery(
        order, [{"order_line": order.lines.get(product=product), "quantity": "3"}], by=boss
    )
    validate_delivery(delivery, by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_writes_restores_into_a_fresh_database_identical(
    boss, company, customer, product, service_product, tmp_path, settings, fresh_database
):
    settings.MEDIA_ROOT = tmp_path / "media"
    scan = settings.MEDIA_ROOT / "returns" / "2026" / "12" / "photo.jpg"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(os.urandom(4096))
    receive_stock([{"product": product, "quantity": "20", "unit_cost": "70"}], by=boss)
    first = sale(boss, customer, product, service_product)
    sale(boss, customer, product, service_product)
    register_payment(
        customer,
        amount=str(first.total),
        by=boss,
        method="transfer",
        allocations=[{"invoice": first, "amount": str(first.total)}],
    )
    before = figures()

    # A colleague keeps creating customers while the backup runs.
    stop, written, failures = threading.Event(), [], []

    def colleague():
        try:
            while not stop.is_set() or len(written) < 3:
                try:
                    written.append(make_customer(boss, name=f"Client pendant la sauvegarde {len(written)}"))
                except OperationalError:  # SQLite's one writer at a time: try again
                    continue
        except Exception as exc:  # asserted below
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=colleague)
    thread.start()
    try:
        manifest = backup.make(tmp_path / "backup")
    finally:
        stop.set()
        thread.join()
    assert failures == []
    assert backup.verify(tmp_path / "backup").ok

    assert manifest["backend"] == backup.backend()
    assert (
        manifest["files"]["files/media/returns/2026/12/photo.jpg"]
        == hashlib.sha256(scan.read_bytes()).hexdigest()
    )
    assert any(name.startswith("scheduling.0001") for name in manifest["migrations"])
    assert manifest["audit_head"]["seq"] > 0

    var = tmp_path / "restored-var"
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database,
        "COMPTOIR_VAR_DIR": str(var),
        "COMPTOIR_AUDIT_KEY": settings.AUDIT_KEY,
        "COMPTOIR_AUDIT_KEY_SINCE": "1",
        "COMPTOIR_AUDIT_CHECKPOINTS": str(var / "audit-checkpoints.jsonl"),
    }
    restored = comptoir(env, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    # …and a second restore is refused: the database is no longer empty
    again = comptoir(env, "restore", str(tmp_path / "backup"))
    assert again.returncode != 0 and "base vide" in again.stderr

    audit = comptoir(env, "verify-audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    after = comptoir(env, "shell", "-c", FIGURES)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout.strip().splitlines()[-1]) == before
    restored_scan = var / "media" / "returns" / "2026" / "12" / "photo.jpg"
    assert restored_scan.read_bytes() == scan.read_bytes()


def test_verify_backup_names_a_changed_file_and_an_added_one(tmp_path):
    folder = tmp_path / "b"
    (folder / "files").mkdir(parents=True)
    (folder / "db.dump").write_bytes(b"dump")
    (folder / "files" / "a.pdf").write_bytes(b"pdf")
    manifest = {
        "format": backup.FORMAT,
        "backend": "postgresql",
        "database": "db.dump",
        "migrations": [],
        "audit_head": {"seq": 0, "hash": "0" * 64},
        "files": {
            "db.dump": backup.sha256(folder / "db.dump"),
            "files/a.pdf": backup.sha256(folder / "files" / "a.pdf"),
        },
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert backup.verify(folder).ok

    (folder / "files" / "a.pdf").write_bytes(b"PDF")
    (folder / "files" / "extra.txt").write_text("?")
    problems = backup.verify(folder).problems
    assert problems == [
        "empreinte SHA-256 différente : files/a.pdf",
        "fichier absent du manifeste : files/extra.txt",
    ]
    done = subprocess.run(
        [sys.executable, "-c", "from comptoir.cli import main; main()", "verify-backup", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "COMPTOIR_VAR_DIR": str(tmp_path / "var")},
    )
    assert done.returncode == 1 and "files/a.pdf" in done.stderr
    assert Path(folder / "manifest.json").exists()
