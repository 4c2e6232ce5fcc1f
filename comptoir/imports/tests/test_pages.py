import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.catalog.models import Product
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.imports.models import ImportRun
from comptoir.imports.tests.files import PRODUCTS, csv_bytes
from comptoir.web.tests.clients import client_for, text_of

pytestmark = pytest.mark.django_db

BAD_ROW = ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]


def test_upload_shows_the_test_report_then_imports_the_valid_rows_and_offers_the_refused_ones(boss):
    client = client_for(boss)
    page = client.get("/parametres/import/")
    assert page.status_code == 200 and "Tester l'import" in text_of(page)

    upload = SimpleUploadedFile("articles.csv", csv_bytes([*PRODUCTS, BAD_ROW], encoding="cp1252"))
    tested = client.post(
        "/parametres/import/tester/", {"kind": "products", "preset": "comptoir", "file": upload}
    )
    text = text_of(tested)
    assert "Test de « articles.csv » : 3 créé(s), 0 mis à jour, 0 inchangé(s), 1 refusé(s)." in text
    assert "Le taux de TVA 7 % n'existe pas en France" in text
    assert "Importer les lignes valides seulement" in text
    assert Product.objects.count() == 0

    run = ImportRun.objects.get()
    imported = client.post(f"/parametres/import/{run.pk}/importer/", {"valid_only": "1"})
    assert "Import de « articles.csv » : 3 créé(s)" in text_of(imported)
    assert Product.objects.count() == 3

    refused = client.get(f"/parametres/import/{run.pk}/refus.csv")
    lines = refused.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("X-1;Taux inconnu;") and lines[1].endswith("(20, 10, 5,5, 2,1 ou 0 %).")

    # The same file cannot be imported twice from its test run.
    again = client.post(f"/parametres/import/{run.pk}/importer/", {"valid_only": "1"})
    assert "Ce fichier a déjà été importé." in text_of(again)


def test_a_clean_file_is_imported_all_or_nothing(boss):
    client = client_for(boss)
    upload = SimpleUploadedFile("articles.csv", csv_bytes(PRODUCTS))
    tested = client.post(
        "/parametres/import/tester/", {"kind": "products", "preset": "comptoir", "file": upload}
    )
    assert 'id="import-all"' in tested.content.decode()
    client.post(f"/parametres/import/{ImportRun.objects.get().pk}/importer/")
    assert Product.objects.count() == 3


def test_an_unreadable_file_says_why(boss):
    client = client_for(boss)
    upload = SimpleUploadedFile("articles.csv", csv_bytes([["Nom", "Prix"], ["a", "1"]]))
    page = client.post(
        "/parametres/import/tester/", {"kind": "products", "preset": "comptoir", "file": upload}
    )
    assert "Colonnes obligatoires absentes : « Référence », « Désignation », « Prix de vente HT »" in text_of(
        page
    )


def test_the_templates_download_as_csv_and_xlsx_and_import_as_they_are(boss):
    client = client_for(boss)
    csv_file = client.get("/parametres/import/modele/products.csv")
    assert csv_file.content.decode("utf-8-sig").startswith("Référence;Désignation;EAN;")
    xlsx = client.get("/parametres/import/modele/customers.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Code client"
    upload = SimpleUploadedFile("modele.xlsx", xlsx.content)
    page = client.post(
        "/parametres/import/tester/", {"kind": "customers", "preset": "comptoir", "file": upload}
    )
    assert "1 créé(s), 0 mis à jour, 0 inchangé(s), 0 refusé(s)" in text_of(page)


def test_the_import_page_is_for_direction_and_admin(db):
    seller = client_for(make_user("vendeur", Role.COMMERCIAL))
    assert seller.get("/parametres/import/").status_code == 403
    admin = client_for(make_user("root", Role.ADMIN))
    assert "Import de données" in text_of(admin.get("/parametres/"))
