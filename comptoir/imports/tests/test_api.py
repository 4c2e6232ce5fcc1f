import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.catalog.models import Product
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.imports.tests.files import PRODUCTS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports"


@pytest.fixture
def api(db):
    return ApiClient(issue_token(make_user("dg", Role.DIRECTION)))


def post(api, content, name="produits.csv", **fields):
    upload = SimpleUploadedFile(name, content)
    return api.client.post(URL, {"kind": "products", "file": upload, **fields}, headers=api.headers)


def test_a_test_run_returns_the_report_row_by_row_and_writes_nothing(api):
    rows = [*PRODUCTS, ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]]
    response = post(api, csv_bytes(rows, encoding="cp1252"), dry_run="true")
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "refused": 1}
    assert report["rows"][0] == {"row": 2, "status": "created", "key": "VIS-6X40"}
    assert report["refusals"] == [
        {
            "row": 5,
            "column": "Taux de TVA",
            "value": "7",
            "code": "invalid_vat_rate",
            "message": "Le taux de TVA 7 % n'existe pas en France (20, 10, 5,5, 2,1 ou 0 %).",
        }
    ]
    assert not report["imported"] and Product.objects.count() == 0


def test_valid_only_imports_the_valid_rows_and_returns_the_refused_ones(api):
    rows = [*PRODUCTS, ["X-1", "Taux inconnu", "", "pièce", "10", "5", "7"]]
    report = post(api, xlsx_bytes(rows), name="produits.xlsx", valid_only="true").json()
    assert report["imported"] and Product.objects.count() == 3
    assert report["refused_rows_csv"].splitlines()[1].startswith("X-1;")
    again = post(api, xlsx_bytes(rows[:4]), name="produits.xlsx").json()
    assert again["counts"]["unchanged"] == 3 and Product.objects.count() == 3


def test_a_file_without_its_columns_is_refused_with_a_stable_code(api):
    response = post(api, csv_bytes([["Nom", "Prix"], ["a", "1"]]))
    assert response.status_code == 400
    assert response.json()["code"] == "import_missing_columns"
    empty = api.client.post(
        URL, {"kind": "products", "file": SimpleUploadedFile("vide.csv", b"")}, headers=api.headers
    )
    assert (empty.status_code, empty.json()["code"]) == (400, "import_empty_file")
    response = api.client.post(
        URL, {"kind": "invoices", "file": SimpleUploadedFile("a.csv", b"x")}, headers=api.headers
    )
    assert response.status_code == 422


def test_importing_needs_the_import_permission(db):
    seller = ApiClient(issue_token(make_user("vendeur", Role.COMMERCIAL)))
    response = post(seller, csv_bytes(PRODUCTS), dry_run="true")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_the_api_imports_suppliers_with_the_same_report_and_twice_creates_nothing(api):
    from comptoir.imports.tests.test_suppliers import SUPPLIERS
    from comptoir.parties.models import Supplier

    def send(**fields):
        upload = SimpleUploadedFile("fournisseurs.csv", csv_bytes(SUPPLIERS))
        return api.client.post(
            URL, {"kind": "suppliers", "file": upload, **fields}, headers=api.headers
        ).json()

    tested = send(dry_run="true")
    assert tested["counts"]["created"] == 2 and not Supplier.objects.exists()
    assert tested["rows"][0] == {"row": 2, "status": "created", "key": "F-001"}
    assert send()["imported"] and send()["counts"]["unchanged"] == 2
    assert Supplier.objects.count() == 2
