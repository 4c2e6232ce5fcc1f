"""Everything out in one zip, so that no customer is locked in (#19 point 3)."""

import csv
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from comptoir.billing.models import InvoiceArchive
from comptoir.billing.services import create_invoice_from_order, issue_invoice
from comptoir.core.audit import AuditEvent
from comptoir.core.errors import PermissionDenied
from comptoir.core.permissions import Role
from comptoir.core.testing import make_customer, make_product, make_user
from comptoir.imports.full_export import export_all_data, exported_models
from comptoir.sales.services import confirm_order, create_order
from comptoir.stock.services import create_delivery, receive_stock, validate_delivery
from comptoir.web.tests.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(boss, company):
    customer = make_customer(boss, name="Menuiserie Martin SARL", siren="542107651")
    product = make_product(
        boss, sku="REF-88", name="Perceuse « pro » à percussion, 18 V", sale_price="120.00"
    )
    receive_stock(
        [{"product": product, "quantity": "5", "unit_cost": "70.25"}], by=boss, supplier_name="Bosch"
    )
    order = create_order(customer, [{"product": product, "quantity": "2"}], by=boss)
    confirm_order(order, by=boss)
    validate_delivery(create_delivery(order, by=boss), by=boss)
    return issue_invoice(create_invoice_from_order(order, by=boss), by=boss)


def _table(archive: zipfile.ZipFile, table: str) -> list[dict]:
    with archive.open(f"tables/{table}.csv") as member:
        return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8", newline="")))


def test_the_zip_holds_every_table_row_for_row_with_the_documents_and_no_secret(boss, invoice):
    counts = {m._meta.db_table: m._base_manager.count() for m in exported_models()}
    target = io.BytesIO()
    export_all_data(target, by=boss)
    archive = zipfile.ZipFile(target)
    manifest = json.loads(archive.read("manifest.json"))

    # Every exported table has all its rows, and the manifest's fingerprint is the file's.
    for entry in manifest["tables"]:
        assert entry["rows"] == counts[entry["table"]], entry["table"]
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    tables = {entry["table"] for entry in manifest["tables"]}
    assert {"billing_invoice", "billing_invoiceline", "accounting_entryline", "core_auditevent"} <= tables
    assert {"auth_user", "auth_group", "auth_user_groups"} <= tables
    assert not tables & {"django_session", "core_apitoken", "axes_accessattempt"}
    for model in apps.get_models():
        if model.__module__.startswith("comptoir.") and model._meta.db_table not in manifest["left_out"]:
            assert model._meta.db_table in tables, model

    # The invoice, typed values readable back, and its Factur-X XML as a file named by its fingerprint.
    (row,) = _table(archive, "billing_invoice")
    assert row["number"] == invoice.number and Decimal(row["total_untaxed"]) == invoice.total_untaxed
    assert row["issued_at"].endswith("+00:00")
    (product,) = _table(archive, "catalog_product")
    assert product["name"] == "Perceuse « pro » à percussion, 18 V"
    (stored,) = _table(archive, "billing_invoicearchive")
    xml = InvoiceArchive.objects.get().cii_xml
    assert stored["cii_xml"] == f"files/{hashlib.sha256(bytes(xml)).hexdigest()}"
    assert archive.read(stored["cii_xml"]) == bytes(xml)

    # No password hash leaves, and the readme says how to read it all.
    assert "password" not in _table(archive, "auth_user")[0]
    assert b"pbkdf2" not in target.getvalue()
    assert "UTF-8" in archive.read("LISEZMOI.txt").decode()
    assert "auth_user.password" in manifest["left_out"]

    event = AuditEvent.objects.filter(action="data.exported").get()
    assert event.actor == boss and event.data["tables"] == len(manifest["tables"])


def test_only_direction_and_the_administrator_take_everything_out(company):
    seller = make_user("vendeur", Role.COMMERCIAL)
    with pytest.raises(PermissionDenied):
        export_all_data(io.BytesIO(), by=seller)
    assert client_for(seller).post("/parametres/export-complet/").status_code == 403


def test_the_settings_button_downloads_the_zip(boss, invoice):
    response = client_for(boss).post("/parametres/export-complet/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "comptoir-export-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert _table(archive, "billing_invoice")[0]["number"] == invoice.number


def test_the_command_writes_the_zip_and_never_overwrites(boss, invoice, tmp_path):
    out = tmp_path / "export.zip"
    stdout = io.StringIO()
    call_command("export_all", "--out", str(out), "--user", boss.username, stdout=stdout)
    assert "tables" in stdout.getvalue()
    assert _table(zipfile.ZipFile(out), "billing_invoice")[0]["number"] == invoice.number
    with pytest.raises(Exception, match="existe déjà"):
        call_command("export_all", "--out", str(out), "--user", boss.username)
