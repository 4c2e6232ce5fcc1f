"""The suppliers' import: cards checked like the form's, Dolibarr's and Odoo's exports read, the same
file twice changes nothing."""

import pytest

from comptoir.imports import services, template_files
from comptoir.imports.tests.files import csv_bytes, xlsx_bytes
from comptoir.parties.models import Supplier

pytestmark = pytest.mark.django_db

SUPPLIERS = [
    [
        "Code fournisseur",
        "Raison sociale",
        "SIREN",
        "N° TVA intracommunautaire",
        "IBAN",
        "BIC",
        "Ville",
        "Délai de paiement (jours)",
        "Compte auxiliaire",
    ],
    [
        "F-001",
        "Visserie Dupont SAS",
        "542 107 651",
        "FR13542107651",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
        "Saint-Étienne",
        "45 jours fin de mois",
        "401DUPONT",
    ],
    ["F-002", "Outillage Berger", "", "", "", "", "Lyon", "30", ""],
]


def run(kind, content, by, name="fournisseurs.csv", **options):
    return services.run_import(kind, content, file_name=name, by=by, **options)


def state():
    return sorted(
        Supplier.objects.values_list(
            "code",
            "name",
            "siren",
            "vat_number",
            "iban",
            "bic",
            "payment_days",
            "payment_end_of_month",
            "account",
        )
    )


def test_suppliers_are_created_with_identifiers_checked_and_their_401_account(boss):
    report = run("suppliers", csv_bytes(SUPPLIERS), boss)
    assert report.imported and report.counts == {"created": 2, "updated": 0, "unchanged": 0, "refused": 0}
    dupont = Supplier.objects.get(code="F-001")
    assert (dupont.siren, dupont.iban, dupont.bic) == ("542107651", "FR7630006000011234567890189", "AGRIFRPP")
    assert (dupont.payment_days, dupont.payment_end_of_month, dupont.account) == (45, True, "401DUPONT")
    # No account given: 401 and the code.
    assert Supplier.objects.get(code="F-002").account == "401F002"


def test_importing_the_same_suppliers_twice_changes_nothing_and_a_new_value_updates(boss):
    content = csv_bytes(SUPPLIERS)
    run("suppliers", content, boss)
    once = state()
    again = run("suppliers", content, boss)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "refused": 0}
    assert state() == once
    changed = [SUPPLIERS[0], SUPPLIERS[1], [*SUPPLIERS[2][:6], "Villeurbanne", "30", ""]]
    report = run("suppliers", csv_bytes(changed), boss)
    assert report.counts["updated"] == 1 and Supplier.objects.count() == 2
    assert Supplier.objects.get(code="F-002").city == "Villeurbanne"


def test_bad_supplier_rows_are_refused_with_row_column_value_and_reason(boss):
    rows = [
        SUPPLIERS[0],
        ["F-010", "Bad IBAN", "", "", "FR76 3000 6000 0112 3456 7890 188", "", "", "", ""],
        ["F-011", "Bad SIREN", "123456789", "", "", "", "", "", ""],
        ["F-012", "Bad account", "", "", "", "", "", "", "512BANK"],
        ["F-013", "Same account", "", "", "", "", "", "", "401DUPONT"],
        ["F-014", "Too long", "", "", "", "", "", "90", ""],
        ["F-015", "Vis Dupont", "", "", "", "", "", "", "401DUPONT"],
    ]
    report = run("suppliers", csv_bytes(rows), boss)
    assert not report.imported and Supplier.objects.count() == 0
    found = {(r.row, r.column, r.value, r.code) for r in report.refusals}
    assert found == {
        (2, "IBAN", "FR76 3000 6000 0112 3456 7890 188", "invalid_iban"),
        (3, "SIREN", "123456789", "invalid_siren"),
        (4, "Compte auxiliaire", "512BANK", "supplier_account_invalid"),
        (6, "Délai de paiement (jours)", "90", "payment_terms_too_long"),
        (7, "Compte auxiliaire", "401DUPONT", "supplier_account_taken"),
    }
    assert report.counts["created"] == 1  # F-013 takes 401DUPONT first, F-015 is refused
    assert next(r for r in report.refusals if r.row == 2).message == (
        "L'IBAN « FR76 3000 6000 0112 3456 7890 188 » n'est pas valide."
    )
    kept = run("suppliers", csv_bytes(rows[:2]), boss, valid_only=True)
    assert kept.imported and list(Supplier.objects.values_list("code", flat=True)) == []
    assert "Motif du refus" in kept.refused_rows_csv()


def test_dolibarr_and_odoo_supplier_exports_are_read(boss):
    dolibarr = [
        [
            "Nom",
            "Code fournisseur",
            "Id. prof. 1 (SIREN)",
            "Code comptable fournisseur",
            "Conditions de règlement",
        ],
        ["Visserie Dupont SAS", "FR0042", "542107651", "401DUP", "30 jours"],
    ]
    assert run("suppliers", csv_bytes(dolibarr), boss, preset="dolibarr").counts["created"] == 1
    assert Supplier.objects.get(code="FR0042").account == "401DUP"
    odoo = [
        ["ref", "name", "vat", "bank_ids/acc_number", "country_id", "property_supplier_payment_term_id"],
        ["V-7", "Berger GmbH", "DE136695976", "DE89 3704 0044 0532 0130 00", "Germany", "Immediate Payment"],
    ]
    report = run("suppliers", xlsx_bytes(odoo), boss, name="vendors.xlsx", preset="odoo")
    assert report.counts["created"] == 1, report.refusals
    berger = Supplier.objects.get(code="V-7")
    assert (berger.country, berger.iban, berger.payment_days) == ("DE", "DE89370400440532013000", 0)


def test_the_supplier_template_imports_as_it_is(boss):
    report = run("suppliers", template_files.template_csv("suppliers"), boss, name="modele.csv")
    assert report.imported and report.counts["created"] == 1, report.refusals
