"""The price lists' import: a row per quantity break of a list, matched by (list, product, break)."""

import datetime
from decimal import Decimal

import pytest

from comptoir.core.testing import make_customer, make_product
from comptoir.imports import services, template_files
from comptoir.imports.tests.files import csv_bytes
from comptoir.pricing import services as pricing
from comptoir.pricing.models import PriceList, PriceListLine

pytestmark = pytest.mark.django_db

HEADER = [
    "Liste de prix",
    "Code client",
    "Groupe de clients",
    "Référence",
    "À partir de (quantité)",
    "Prix HT",
    "Remise (%)",
    "Valable du",
    "Valable jusqu'au",
]
ROWS = [
    HEADER,
    ["Tarif installateurs", "", "INSTALL", "VIS-6X40", "", "11,20", "", "01/01/2026", "31/12/2026"],
    ["Tarif installateurs", "", "", "VIS-6X40", "100", "", "15", "", ""],
    ["Martin 2026", "C-001", "", "VIS-6X40", "1", "10,50", "", "", ""],
]


@pytest.fixture
def setup(boss):
    make_customer(boss, code="C-001", name="Boulangerie Martin SARL")
    make_product(boss, sku="VIS-6X40", name="Vis inox 6 x 40", sale_price="12.50")
    make_product(boss, sku="VIS-8X60", name="Vis inox 8 x 60", sale_price="18.00")
    pricing.create_customer_group("INSTALL", "Installateurs", by=boss)


def run(content, by, name="tarifs.csv", **options):
    return services.run_import("price_lists", content, file_name=name, by=by, **options)


def lines():
    return sorted(
        PriceListLine.objects.values_list(
            "price_list__name",
            "product__sku",
            "min_quantity",
            "price",
            "percent_off",
            "price_list__valid_from",
        )
    )


def test_price_lists_are_created_with_their_breaks_target_and_validity(setup, boss):
    report = run(csv_bytes(ROWS), boss)
    assert report.imported and report.counts == {"created": 3, "updated": 0, "unchanged": 0, "refused": 0}
    installers = PriceList.objects.get(name="Tarif installateurs")
    assert (installers.group.code, installers.customer) == ("INSTALL", None)
    assert (installers.valid_from, installers.valid_until) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )
    assert [(line.min_quantity, line.price, line.percent_off) for line in installers.lines.all()] == [
        (Decimal("1.000"), Decimal("11.2000"), None),
        (Decimal("100.000"), None, Decimal("15.00")),
    ]
    assert PriceList.objects.get(name="Martin 2026").customer.code == "C-001"


def test_reimporting_the_same_price_lists_changes_nothing_and_a_new_price_updates_its_break(setup, boss):
    run(csv_bytes(ROWS), boss)
    before = lines()
    again = run(csv_bytes(ROWS), boss)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "refused": 0}
    assert lines() == before and PriceList.objects.count() == 2
    changed = [HEADER, ["Tarif installateurs", "", "INSTALL", "VIS-6X40", "1", "11,00", "", "", ""]]
    report = run(csv_bytes(changed), boss)
    assert report.counts["updated"] == 1 and PriceListLine.objects.count() == 3
    line = PriceListLine.objects.get(price_list__name="Tarif installateurs", min_quantity=1)
    assert line.price == Decimal("11.0000")
    assert line.price_list.valid_until == datetime.date(2026, 12, 31)  # kept: the row gave no dates


def test_bad_price_list_rows_are_refused_one_by_one_with_french_reasons(setup, boss):
    run(csv_bytes(ROWS), boss)
    bad = [
        HEADER,
        ["Tarif installateurs", "", "INSTALL", "INCONNU", "", "5", "", "", ""],
        ["Tarif X", "C-999", "", "VIS-8X60", "", "5", "", "", ""],
        ["Tarif X", "C-001", "", "VIS-8X60", "2", "-2", "", "", ""],
        ["Tarif X", "C-001", "", "VIS-8X60", "5", "4", "10", "", ""],
        ["Tarif Y", "", "INSTALL", "VIS-6X40", "100", "", "20", "01/06/2026", ""],
        ["Tarif installateurs", "", "INSTALL", "VIS-8X60", "", "16", "", "01/02/2026", "31/12/2026"],
        ["Tarif Z", "", "", "VIS-8X60", "", "16", "", "", ""],
        ["Tarif X", "", "GROS", "VIS-8X60", "3", "16", "", "", ""],
        # The file moves the start of the list (row 7); another of its rows keeps the old dates.
        ["Tarif installateurs", "", "INSTALL", "VIS-8X60", "50", "15", "", "01/01/2026", "31/12/2026"],
    ]
    report = run(csv_bytes(bad), boss)
    assert not report.imported and report.counts["refused"] == 8, report.refusals
    found = {(r.row, r.column, r.value, r.code) for r in report.refusals}
    assert found == {
        (2, "Référence", "INCONNU", "import_unknown_product"),
        (3, "Code client", "C-999", "import_unknown_customer"),
        (4, "Prix HT", "-2", "price_list_line_price_negative"),
        (5, "Prix HT", "4", "price_list_line_price_xor_percent"),
        (6, "Valable du", "01/06/2026", "import_price_list_overlap"),
        (10, "Valable du", "01/01/2026", "import_price_list_dates_differ"),
        (8, "Code client", "", "price_list_target"),
        (9, "Groupe de clients", "GROS", "import_unknown_group"),
    }
    messages = {r.row: r.message for r in report.refusals}
    assert messages[4] == "Ligne 4 : le prix ne peut pas être négatif."
    assert "Tarif installateurs" in messages[6] and "chevauche" in messages[6]
    assert messages[10].startswith(
        "La ligne 7 donne à la liste « Tarif installateurs » la validité du 01/02/2026"
    )
    # All or nothing: the valid row 7 is not written either.
    assert PriceListLine.objects.count() == 3 and not PriceList.objects.filter(name__startswith="Tarif X")
    assert PriceList.objects.get(name="Tarif installateurs").valid_from == datetime.date(2026, 1, 1)


def test_the_price_list_template_imports_once_its_product_and_group_exist(setup, boss):
    report = run(template_files.template_csv("price_lists"), boss, name="modele.csv")
    assert report.imported and report.counts["created"] == 1, report.refusals
    assert run(template_files.template_csv("price_lists"), boss).counts["unchanged"] == 1


def test_odoo_pricelist_rules_update_a_list_already_there(setup, boss):
    run(csv_bytes(ROWS), boss)
    odoo = [
        ["pricelist_id", "product_tmpl_id/default_code", "min_quantity", "fixed_price", "percent_price"],
        ["Martin 2026", "VIS-8X60", "10", "15.5", "0"],
    ]
    report = run(csv_bytes(odoo, delimiter=","), boss, preset="odoo")
    assert report.counts["refused"] == 1 and report.refusals[0].code == "price_list_line_price_xor_percent"
    odoo[1][4] = ""
    report = run(csv_bytes(odoo, delimiter=","), boss, preset="odoo")
    assert report.counts["created"] == 1, report.refusals
    assert PriceListLine.objects.get(product__sku="VIS-8X60").price == Decimal("15.5000")
