import datetime
from decimal import Decimal

import pytest

from comptoir.catalog.models import Product
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.imports import services
from comptoir.imports.models import ImportRun
from comptoir.imports.tests.files import CUSTOMERS, PRODUCTS, csv_bytes, xlsx_bytes
from comptoir.parties.models import Contact, Customer
from comptoir.stock.models import Receipt, StockLevel

pytestmark = pytest.mark.django_db


def run(kind, content, by, name="fichier.csv", **options):
    return services.run_import(kind, content, file_name=name, by=by, **options)


def customers_state():
    return sorted(
        Customer.objects.values_list(
            "code", "name", "siren", "vat_number", "country", "payment_days", "email"
        )
    )


def test_customers_from_a_utf8_csv_are_created_with_their_contact(boss):
    report = run("customers", csv_bytes(CUSTOMERS), boss)
    assert report.imported and report.counts["created"] == 2 and report.counts["refused"] == 0
    martin = Customer.objects.get(code="C-001")
    assert (martin.siren, martin.vat_number, martin.payment_days) == ("732829320", "FR44732829320", 30)
    assert martin.contacts.get().email == "claire@martin.fr"
    assert Customer.objects.get(code="C-002").country == "FR"


def test_importing_the_same_file_twice_leaves_the_same_data_as_once(boss):
    content = csv_bytes(CUSTOMERS)
    run("customers", content, boss)
    once = customers_state()
    second = run("customers", content, boss)
    assert customers_state() == once
    assert Contact.objects.count() == 1
    assert second.counts["created"] == 0 and second.counts["refused"] == 0

    products = csv_bytes(PRODUCTS)
    run("products", products, boss)
    before = sorted(Product.objects.values_list("sku", "name", "sale_price", "purchase_cost", "vat_rate"))
    again = run("products", products, boss)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "refused": 0}
    assert (
        sorted(Product.objects.values_list("sku", "name", "sale_price", "purchase_cost", "vat_rate"))
        == before
    )


def test_reimport_updates_by_external_id(boss):
    run("products", csv_bytes(PRODUCTS), boss)
    changed = [PRODUCTS[0], ["VIS-6X40", "Vis inox 6 x 40", "3017620422003", "boîte", "13,00", "7,20", "20"]]
    report = run("products", csv_bytes(changed), boss)
    assert report.counts["updated"] == 1
    assert Product.objects.get(sku="VIS-6X40").sale_price == Decimal("13.00")
    assert Product.objects.count() == 3


def test_latin1_csv_with_commas_decimal_and_tab_or_comma_separators(boss):
    for delimiter, encoding in ((";", "cp1252"), ("\t", "latin-1"), (",", "utf-8-sig")):
        rows = [
            ["Référence", "Désignation", "Prix de vente HT", "Taux de TVA"],
            [
                "CAFE-" + str(ord(delimiter)),
                "Café moulu « Éclat » 1 kg",
                "1 234,5" if delimiter != "," else "1234.5",
                "5,5",
            ],
        ]
        report = run("products", csv_bytes(rows, delimiter=delimiter, encoding=encoding), boss)
        assert report.counts["created"] == 1, report.refusals
        product = Product.objects.get(sku="CAFE-" + str(ord(delimiter)))
        assert product.name == "Café moulu « Éclat » 1 kg"
        assert product.sale_price == Decimal("1234.5") and product.vat_rate == Decimal("5.50")


def test_xlsx_with_merged_header_cells(boss):
    report = run("customers", xlsx_bytes(CUSTOMERS, merged_title=True), boss, name="clients.xlsx")
    assert report.counts["created"] == 2, report.refusals
    assert Customer.objects.get(code="C-001").city == "Lyon"


def test_invalid_siren_and_unknown_vat_rate_are_refused_with_row_column_value_and_reason(boss):
    rows = [
        CUSTOMERS[0],
        CUSTOMERS[1],
        ["C-003", "Mauvais SIREN", "123456789", "", "", "", "", "", "", "", "", ""],
    ]
    report = run("customers", csv_bytes(rows), boss)
    assert not report.imported
    assert Customer.objects.count() == 0  # all or nothing: the valid row is not half-imported
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column, refusal.value, refusal.code) == (
        3,
        "SIREN",
        "123456789",
        "invalid_siren",
    )
    assert "SIREN" in refusal.message

    rows = [PRODUCTS[0], ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]]
    report = run("products", csv_bytes(rows), boss)
    (refusal,) = report.refusals
    assert (refusal.row, refusal.column, refusal.value, refusal.code) == (
        2,
        "Taux de TVA",
        "7",
        "invalid_vat_rate",
    )


def test_unreadable_cells_name_their_column(boss):
    rows = [
        PRODUCTS[0],
        ["X-2", "Prix illisible", "", "pièce", "douze", "5", "20"],
        ["", "Sans référence", "", "", "1", "", ""],
    ]
    report = run("products", csv_bytes(rows), boss, dry_run=True)
    assert [(r.row, r.column, r.code) for r in report.refusals] == [
        (2, "Prix de vente HT", "import_not_a_number"),
        (3, "Référence", "import_value_required"),
    ]


def test_duplicate_references_inside_the_file_are_refused_with_both_rows(boss):
    rows = [*PRODUCTS, ["VIS-6X40", "Doublon", "", "pièce", "1", "1", "20"]]
    report = run("products", csv_bytes(rows), boss, dry_run=True)
    (refusal,) = report.refusals
    assert (refusal.row, refusal.code) == (5, "import_duplicate_key")
    assert "ligne 2" in refusal.message


def test_dry_run_reports_without_writing(boss):
    report = run("products", csv_bytes(PRODUCTS), boss, dry_run=True)
    assert report.counts["created"] == 3 and not report.imported
    assert Product.objects.count() == 0
    assert not AuditEvent.objects.filter(action="data.imported").exists()


def test_valid_rows_only_imports_them_and_offers_the_refused_rows_as_a_file(boss):
    rows = [*PRODUCTS, ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]]
    report = run("products", csv_bytes(rows), boss, valid_only=True)
    assert report.imported and report.counts == {"created": 3, "updated": 0, "unchanged": 0, "refused": 1}
    assert Product.objects.count() == 3
    refused = ImportRun.objects.get(pk=report.run_id).refused_rows
    lines = refused.lstrip("\ufeff").splitlines()
    assert lines[0].endswith(";Motif du refus")
    assert lines[1].startswith("X-1;Taux inconnu") and "Taux de TVA" in lines[1]
    # Fixed and imported again, the refused file completes the import.
    fixed = refused.replace(";7;", ";20;").encode("utf-8")
    assert run("products", fixed, boss).counts["created"] == 1


def test_a_real_import_writes_one_audit_event_with_the_file_fingerprint(boss):
    content = csv_bytes(PRODUCTS)
    report = run("products", content, boss, name="articles.csv")
    event = AuditEvent.objects.get(action="data.imported")
    assert event.data["file"] == "articles.csv" and event.data["sha256"] == report.sha256
    assert event.data["created"] == 3 and event.data["kind"] == "products"


def test_opening_stock_is_received_once(boss, company):
    run("products", csv_bytes(PRODUCTS), boss)
    rows = [["Référence", "Quantité", "Coût unitaire"], ["VIS-6X40", "150", "7,00"], ["PERC-18V", "4,5", ""]]
    report = run("stock", csv_bytes(rows), boss)
    assert report.counts["created"] == 2
    level = StockLevel.objects.get(product__sku="VIS-6X40")
    assert (level.on_hand, level.average_cost) == (Decimal("150"), Decimal("7.00"))
    assert StockLevel.objects.get(product__sku="PERC-18V").average_cost == Decimal("800")
    assert Receipt.objects.get().status == Receipt.Status.VALIDATED

    again = run("stock", csv_bytes(rows), boss)
    assert again.counts["unchanged"] == 2
    assert Receipt.objects.count() == 1 and StockLevel.objects.get(product__sku="VIS-6X40").on_hand == 150

    other = run(
        "stock", csv_bytes([rows[0], ["VIS-6X40", "200", "7"], ["INCONNU", "1", "1"]]), boss, dry_run=True
    )
    assert [r.code for r in other.refusals] == ["import_opening_stock_exists", "import_unknown_product"]


def test_presets_read_dolibarr_and_odoo_exports(boss):
    dolibarr = [
        [
            "Code client",
            "Nom",
            "Id. prof. 1 (SIREN)",
            "Numéro de TVA",
            "Adresse",
            "Code postal",
            "Ville",
            "Code pays",
            "Conditions de règlement",
        ],
        [
            "CU2501-0001",
            "Garage Leroy",
            "552032534",
            "",
            "1 av. Foch",
            "75016",
            "Paris",
            "FR",
            "30 jours fin de mois",
        ],
    ]
    run("customers", csv_bytes(dolibarr), boss, preset="dolibarr")
    leroy = Customer.objects.get(code="CU2501-0001")
    assert (leroy.siren, leroy.payment_days, leroy.payment_end_of_month) == ("552032534", 30, True)

    odoo = [
        ["default_code", "name", "barcode", "list_price", "standard_price", "taxes_id", "type"],
        ["FURN_0001", "Office Chair", "", "70.0", "45.5", "TVA 20% (vente)", "consu"],
        ["SRV_DEL", "Delivery", "", "15", "0", "20%", "service"],
    ]
    report = run("products", xlsx_bytes(odoo), boss, preset="odoo", name="product.template.xlsx")
    assert report.counts["created"] == 2, report.refusals
    assert Product.objects.get(sku="SRV_DEL").kind == "service"


def test_a_file_without_the_required_columns_is_refused_as_a_whole(boss):
    with pytest.raises(DomainError) as exc:
        run("products", csv_bytes([["Nom", "Prix"], ["a", "1"]]), boss)
    assert exc.value.code == "import_missing_columns"
    with pytest.raises(DomainError) as exc:
        run("products", b"PK\x03\x04garbage", boss, name="x.xlsx")
    assert exc.value.code == "import_unreadable_file"


def test_only_direction_and_admin_may_import(db):
    sales = make_user("vendeur", Role.COMMERCIAL)
    with pytest.raises(PermissionDenied):
        run("products", csv_bytes(PRODUCTS), sales, dry_run=True)
    admin = make_user("admin2", Role.ADMIN)
    assert run("products", csv_bytes(PRODUCTS), admin, dry_run=True).counts["created"] == 3


def test_opening_stock_dated_the_french_way_is_received_on_that_day(boss, company):
    from comptoir.core import dates

    run("products", csv_bytes(PRODUCTS), boss)
    day = dates.today() - datetime.timedelta(days=2)
    rows = [
        ["Référence", "Quantité", "Coût unitaire", "Date"],
        ["VIS-6X40", "10", "7", day.strftime("%d/%m/%Y")],
        ["PERC-18V", "1", "800", "31/02/2025"],
        ["LIVRE-01", "2", "9", "2099-01-01"],
    ]
    report = run("stock", csv_bytes(rows), boss, valid_only=True)
    assert [(r.row, r.column, r.code) for r in report.refusals] == [
        (3, "Date", "import_not_a_date"),
        (4, "Date", "date_in_future"),
    ]
    assert Receipt.objects.get().date == day


def test_a_file_damaged_past_its_header_is_refused_as_a_whole(boss):
    broken = csv_bytes(PRODUCTS) + b'"VIS-9;"Vis\x00;1;20\r\n'
    with pytest.raises(DomainError) as exc:
        run("products", broken, boss, dry_run=True)
    assert exc.value.code == "import_unreadable_file"
    workbook = xlsx_bytes(PRODUCTS * 200)
    with pytest.raises(DomainError) as exc:
        run("products", workbook[: len(workbook) * 2 // 3], boss, name="tronque.xlsx", dry_run=True)
    assert exc.value.code == "import_unreadable_file"
    assert Product.objects.count() == 0


def test_products_bring_their_customs_data_and_a_wrong_code_is_refused_on_its_column(boss):
    header = [*PRODUCTS[0], "Nomenclature NC8", "Masse nette (kg)", "Pays d'origine"]
    rows = [header, ["DRL-1", "Perceuse", "", "pièce", "99", "50", "20", "8467 21 51", "1,6", "cn"]]
    report = run("products", csv_bytes(rows), boss)
    assert report.imported, report.refusals
    product = Product.objects.get(sku="DRL-1")
    assert (product.customs_code, str(product.net_mass_kg), product.origin_country) == (
        "84672151",
        "1.600",
        "CN",
    )
    rows = [header, ["DRL-2", "Perceuse", "", "pièce", "99", "50", "20", "8467", "", ""]]
    (refusal,) = run("products", csv_bytes(rows), boss).refusals
    assert (refusal.column, refusal.value, refusal.code) == (
        "Nomenclature NC8",
        "8467",
        "invalid_customs_code",
    )
