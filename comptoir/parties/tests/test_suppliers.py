"""Suppliers: the card's rules (as a customer's, plus IBAN/BIC and the 401 auxiliary account), the
« Fournisseurs » pages and the API; who may change them; each change audited."""

import pytest

from comptoir.api.tests.conftest import ApiClient, issue_token
from comptoir.core.errors import DomainError, PermissionDenied
from comptoir.core.models import AuditEvent
from comptoir.core.permissions import Role
from comptoir.core.testing import make_user
from comptoir.parties import suppliers
from comptoir.parties.models import Supplier

pytestmark = pytest.mark.django_db


def test_a_supplier_gets_a_code_and_a_401_account_and_its_iban_is_kept_compact(boss):
    supplier = suppliers.create_supplier(
        by=boss, name="Visserie Dupont SAS", siren="542 107 651", iban="fr76 3000 6000 0112 3456 7890 189"
    )
    assert (supplier.code, supplier.account) == ("F00001", "401F00001")
    assert supplier.iban == "FR7630006000011234567890189"
    assert AuditEvent.objects.filter(action="supplier.created").count() == 1
    suppliers.update_supplier(supplier, by=boss, account="401 dupont", payment_days=45)
    supplier.refresh_from_db()
    assert (supplier.account, supplier.payment_days) == ("401DUPONT", 45)
    # The same values again change nothing and write no event.
    suppliers.update_supplier(supplier, by=boss, account="401DUPONT")
    assert AuditEvent.objects.filter(action="supplier.updated").count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"siren": "123456789"}, "invalid_siren"),
        ({"iban": "FR7630006000011234567890188"}, "invalid_iban"),
        ({"bic": "12"}, "invalid_bic"),
        ({"account": "411X"}, "supplier_account_invalid"),
        ({"payment_days": 75}, "payment_terms_too_long"),
        ({"name": " "}, "name_required"),
    ],
)
def test_a_supplier_with_a_bad_field_is_refused_with_its_code(boss, fields, code):
    with pytest.raises(DomainError) as exc:
        suppliers.create_supplier(by=boss, **{"name": "Berger", **fields})
    assert exc.value.code == code and not Supplier.objects.exists()


def test_an_auxiliary_account_belongs_to_one_supplier(boss):
    suppliers.create_supplier(by=boss, code="F-1", name="Dupont", account="401DUPONT")
    with pytest.raises(DomainError) as exc:
        suppliers.create_supplier(by=boss, code="F-2", name="Dupont frères", account="401DUPONT")
    assert exc.value.code == "supplier_account_taken" and "F-1" in exc.value.message


def test_a_salesperson_sees_suppliers_but_cannot_change_them(boss):
    seller = make_user("vendeur", Role.COMMERCIAL)
    with pytest.raises(PermissionDenied):
        suppliers.create_supplier(by=seller, name="Berger")
    logistics = make_user("magasin", Role.LOGISTIQUE)
    assert suppliers.create_supplier(by=logistics, name="Berger").code == "F00001"


def test_the_supplier_pages_list_create_and_edit(boss, client):
    client.force_login(boss)
    assert "Aucun fournisseur" in client.get("/fournisseurs/").content.decode()
    response = client.post(
        "/fournisseurs/nouveau/",
        {
            "name": "Visserie Dupont SAS",
            "country": "FR",
            "payment_days": "30",
            "iban": "FR76 0000",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "IBAN" in response.content.decode()  # refused, shown on the form
    client.post(
        "/fournisseurs/nouveau/",
        {"name": "Visserie Dupont SAS", "country": "FR", "payment_days": "30", "is_active": "on"},
    )
    supplier = Supplier.objects.get()
    page = client.get("/fournisseurs/").content.decode()
    assert "Visserie Dupont SAS" in page and "401F00001" in page
    client.post(
        f"/fournisseurs/{supplier.pk}/modifier/",
        {
            "name": "Visserie Dupont",
            "country": "FR",
            "payment_days": "45",
            "account": "401DUP",
            "is_active": "on",
        },
    )
    supplier.refresh_from_db()
    assert (supplier.name, supplier.payment_days, supplier.account) == ("Visserie Dupont", 45, "401DUP")


def test_the_api_lists_creates_and_updates_suppliers(boss):
    api = ApiClient(issue_token(boss))
    created = api.post(
        "/suppliers", {"code": "F-7", "name": "Berger GmbH", "country": "DE", "vat_number": "DE136695976"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["account"], body["vat_number"]) == ("401F7", "DE136695976")
    refused = api.post("/suppliers", {"name": "X", "iban": "FR00"})
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_iban")
    patched = api.patch(f"/suppliers/{body['id']}", {"payment_days": 45})
    assert patched.json()["payment_days"] == 45
    listed = api.get("/suppliers", {"search": "berger"}).json()
    assert [s["code"] for s in listed["items"]] == ["F-7"]
